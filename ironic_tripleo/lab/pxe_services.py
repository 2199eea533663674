"""The lab's provisioning-network services: dnsmasq (DHCP + TFTP) and discoverd.

Both listen on the lab bridge's host address only, run in their own session with a
pid file, and are stopped by pid (``process.stop_group``). dnsmasq serves Ironic's
``[pxe] tftp_root``, so a node's PXE ROM reads exactly the files Ironic wrote.
For namespace nodes the boot files the lab provides (``pxelinux.0`` and the deploy
kernel/ramdisk that nodes' ``driver_info`` names) are small placeholders: the firmware
emulation fetches them, it does not execute them. A VM lab (``boot["kind"] == "vm"``)
serves Debian's real ``pxelinux.0`` and ``ldlinux.c32`` and the built ramdisk, and
dnsmasq also sends IPv6 router advertisements on the bridge.

A VM lab boots through Ironic's ``ipxe`` boot interface: the VM's NIC ROM is iPXE,
which dnsmasq recognises (DHCP option 175) and sends to Ironic's ``boot.ipxe`` over
HTTP; an HTTP server on the bridge serves Ironic's ``[deploy] http_root``. TFTP of
the ~45 MB ramdisk through pxelinux runs at 0.2-5 MB/s under emulation, depending on
the host's load; HTTP is several times faster. Clients that are not iPXE still get
``pxelinux.0`` over TFTP (Ironic's ``pxe`` interface, for nodes set to it).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import requests

from ironic_tripleo.lab import keystone_auth, process
from ironic_tripleo.lab.exception import BootFileError, ServiceStartError
from ironic_tripleo.lab.readiness import wait_until

LOG = logging.getLogger(__name__)

BOOTFILE = "pxelinux.0"
# Debian's pxelinux (package pxelinux) and its core module (package syslinux-common)
PXELINUX_FILES = (Path("/usr/lib/PXELINUX/pxelinux.0"),
                  Path("/usr/lib/syslinux/modules/bios/ldlinux.c32"))


def write_boot_files(tftp_root: Path, boot: dict) -> None:
    """Put the boot loader and the deploy images lab.json's ``boot`` names in place.

    :raises BootFileError: for a VM lab whose pxelinux or ramdisk files are missing.
    """
    tftp_root.mkdir(parents=True, exist_ok=True)
    Path(boot["images"]).mkdir(parents=True, exist_ok=True)
    if boot.get("kind") != "vm":
        (tftp_root / BOOTFILE).write_bytes(b"ironic-tripleo lab placeholder for pxelinux.0\n")
        for key in ("deploy_kernel", "deploy_ramdisk"):
            Path(boot[key]).write_bytes(
                f"ironic-tripleo lab placeholder {key}\n".encode() * 64)
        return
    for source in PXELINUX_FILES:
        if not source.exists():
            raise BootFileError(file=source, fix="run scripts/install-system-packages.sh "
                                "(Debian packages pxelinux and syslinux-common)")
        shutil.copyfile(source, tftp_root / source.name)
    for key in ("deploy_kernel", "deploy_ramdisk"):
        source = Path(boot[f"{key}_source"])
        if not source.exists():
            raise BootFileError(file=source, fix="build the ramdisk with 'ironic-tripleo "
                                "ramdisk build --output DIR' and pass --ramdisk-dir DIR")
        Path(boot[key]).unlink(missing_ok=True)
        try:
            os.link(source, boot[key])  # Ironic reads file:// images from here only
        except OSError:
            shutil.copyfile(source, boot[key])


def dnsmasq_argv(network: dict, bridge: str, tftp_root: Path, workdir: Path,
                 ipxe_script_url: str | None = None) -> list[str]:
    """Return dnsmasq's command line for the lab (bound to ``bridge`` only, no DNS).

    :param network: lab.json's ``network`` (``dhcp_range``, ``prefixlen``, and
        ``ipv6_prefix`` for a VM lab: router advertisements only, no DHCPv6).
    :param ipxe_script_url: where iPXE clients get their script (Ironic's
        ``boot.ipxe``); others get ``pxelinux.0``.
    """
    first, last = network["dhcp_range"]
    ra = ([f"--dhcp-range={network['ipv6_prefix']},ra-only", "--enable-ra"]
          if network.get("ipv6_prefix") else [])
    if ipxe_script_url:
        boot = ["--dhcp-match=set:ipxe,175", f"--dhcp-boot=tag:ipxe,{ipxe_script_url}",
                f"--dhcp-boot=tag:!ipxe,{BOOTFILE}"]
    else:
        boot = [f"--dhcp-boot={BOOTFILE}"]
    return [
        "dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--port=0", "--user=root",
        f"--interface={bridge}", "--bind-interfaces",
        # --no-ping: the default ICMP probe before an offer stalls every node ~3 s.
        f"--dhcp-range={first},{last},10m", *boot, "--no-ping",
        "--enable-tftp", f"--tftp-root={tftp_root}",
        f"--dhcp-hostsdir={workdir / 'dhcp-hostsdir'}",
        f"--dhcp-leasefile={workdir / 'dnsmasq.leases'}",
        f"--pid-file={workdir / 'dnsmasq.pid'}", "--log-facility=-", "--log-dhcp", *ra,
    ]


def start_dnsmasq(argv: list[str], workdir: Path) -> int:
    """Start dnsmasq; return its pid once it is listening (TFTP socket open).

    :raises ServiceStartError: with the end of its log when it exits.
    """
    (workdir / "dhcp-hostsdir").mkdir(parents=True, exist_ok=True)
    log = workdir / "dnsmasq.log"
    pid = _spawn(argv, log, workdir / "dnsmasq.pid")

    def listening() -> str | None:
        _alive_or_raise("dnsmasq", pid, log)
        return None if "TFTP root is" in log.read_text(errors="replace") else "no line"

    if wait_until(listening, 10, 0.05) is not None:
        raise ServiceStartError(service="dnsmasq", reason="no 'TFTP root' line in 10 s: "
                                + _tail(log))
    LOG.info("dnsmasq up (pid %s): %s", pid, " ".join(argv[5:7]))
    return pid


def discoverd_config(workdir: Path, address: str, port: int, ironic_url: str,
                     dnsmasq_log: Path | None = None, hostsdir: Path | None = None,
                     keystone: dict | None = None) -> str:
    """Return discoverd's config file text for the lab.

    :param dnsmasq_log: the lab dnsmasq's log: a node refused a DHCP lease then
        fails its introspection within a minute ([dhcp_log]).
    :param hostsdir: dnsmasq's ``--dhcp-hostsdir``: discoverd's dnsmasq PXE filter
        runs on it ([pxe_filter] driver = dnsmasq); None leaves DHCP open to all.
    :param keystone: lab.json's Keystone record: tokens checked, Ironic reached as
        the ``discoverd`` user (``keystone_auth``); None: noauth both ways.
    """
    watch = (["[dhcp_log]", f"dnsmasq_log_file = {dnsmasq_log}", ""]
             if dnsmasq_log else [])
    if hostsdir:
        watch += ["[pxe_filter]", "driver = dnsmasq", f"dhcp_hostsdir = {hostsdir}", ""]
    auth = (keystone_auth.discoverd_lines(keystone) if keystone
            else ["[ironic]", f"url = {ironic_url}", ""])
    return "\n".join([
        "[DEFAULT]", f"listen_address = {address}", f"listen_port = {port}",
        "clean_up_period = 10", "timeout = 600", "",
        "[database]", f"connection = sqlite:///{workdir / 'discoverd.sqlite'}", "",
        *auth, *watch,
    ])


def start_discoverd(workdir: Path, url: str, config: str, timeout: float = 30,
                    env: dict[str, str] | None = None) -> int:
    """Write the config, start ``discoverd`` and wait until ``url`` answers; return pid.

    :param env: added to its environment (``OS_CLIENT_CONFIG_FILE``).
    :raises ServiceStartError: with the end of its log when it exits or never answers.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    conf = workdir / "discoverd.conf"
    conf.write_text(config)
    conf.chmod(0o600)
    binary = Path(sys.executable).parent / "discoverd"
    log = workdir / "discoverd.log"
    pid = _spawn([str(binary), "--config-file", str(conf)], log, workdir / "discoverd.pid",
                 env)

    def answering() -> str | None:
        _alive_or_raise("discoverd", pid, log)
        try:
            return None if requests.get(url, timeout=2).ok else "not ok"
        except requests.RequestException as exc:
            return str(exc)

    if wait_until(answering, timeout) is not None:
        raise ServiceStartError(service="discoverd",
                                reason=f"{url} did not answer: {_tail(log)}")
    LOG.info("discoverd up at %s (pid %s)", url, pid)
    return pid


def stop(pid_file: Path, marker: str) -> None:
    """Stop the service whose pid is in ``pid_file`` if its argv holds ``marker``."""
    pid = process.read_pid(pid_file)
    if process.runs(pid, marker):
        process.stop_group(pid, timeout=5)
    pid_file.unlink(missing_ok=True)


def _spawn(argv: list[str], log: Path, pid_file: Path,
           env: dict[str, str] | None = None) -> int:
    with open(log, "ab") as out:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, **env} if env else None)
    pid_file.write_text(f"{proc.pid}\n")
    return proc.pid


def _alive_or_raise(service: str, pid: int, log: Path) -> None:
    """:raises ServiceStartError: with the end of its log, when ``pid`` has exited."""
    if not process.is_alive(pid):
        raise ServiceStartError(service=service, reason=_tail(log))


def _tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def start_http(workdir: Path, address: str, port: int, root: Path,
               timeout: float = 30) -> int:
    """Serve ``root`` over HTTP on ``address:port`` (Python's ``http.server``); return pid.

    :raises ServiceStartError: with the end of its log when it exits or never answers.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    root.mkdir(parents=True, exist_ok=True)
    log = workdir / "http.log"
    pid = _spawn([sys.executable, "-m", "http.server", "--bind", address, "--directory",
                  str(root), str(port)], log, workdir / "http.pid")

    def answering() -> str | None:
        _alive_or_raise("http", pid, log)
        try:
            requests.head(f"http://{address}:{port}/", timeout=2)
        except requests.RequestException as exc:
            return str(exc)
        return None

    if wait_until(answering, timeout) is not None:
        raise ServiceStartError(service="http",
                                reason=f"no answer on port {port}: {_tail(log)}")
    LOG.info("HTTP server for %s on %s:%s (pid %s)", root, address, port, pid)
    return pid


def plan(workdir: Path, ironic_workdir: Path, port: int, pxe_filter: bool = False
         ) -> dict:
    """Return lab.json's ``dnsmasq``, ``discoverd`` and ``boot`` parts (nothing started).

    :param pxe_filter: discoverd runs its dnsmasq PXE filter on dnsmasq's hosts
        directory: a MAC known to Ironic gets DHCP only while its node is under
        introspection (so deploying through the lab's dnsmasq is then refused too).
    """
    return {
        "dnsmasq": {"workdir": str(workdir / "dnsmasq"),
                    "pid_file": str(workdir / "dnsmasq" / "dnsmasq.pid"),
                    "tftp_root": str(ironic_workdir / "tftpboot")},
        "discoverd": {"workdir": str(workdir / "discoverd"), "port": port,
                      "pid_file": str(workdir / "discoverd" / "discoverd.pid"),
                      "pxe_filter": pxe_filter},
        "boot": {"images": str(workdir / "images"),
                 "deploy_kernel": str(workdir / "images" / "deploy.kernel"),
                 "deploy_ramdisk": str(workdir / "images" / "deploy.initramfs")},
    }


def ironic_settings(state: dict) -> dict:
    """Return the ``IronicConfig`` fields that make Ironic inspect through discoverd,
    boot lab nodes with its ``pxe`` interface from the lab's files and deploy with
    ``iscsi`` (the default deploy interface) through the lab's data-plane namespace.

    With lab.json's ``keystone`` record, Ironic is behind Keystone
    (``keystone_auth.ironic_sections``).

    ``ipa-api-url`` in the deploy ramdisk's PXE config is Ironic's bridge URL
    (``[service_catalog] endpoint_override``). Images for ``file://`` deploys must be
    under the lab's ``images`` directory (``file_url_allowed_paths``).
    """
    extra: dict[str, dict[str, str]] = {
        "DEFAULT": {"default_inspect_interface": "discoverd"},
        "tripleo_discoverd": {"url": state["discoverd_url"], "status_check_period": "2"},
        "conductor": {"file_url_allowed_paths": state["boot"]["images"]},
        "service_catalog": {"endpoint_override": state["ironic_url"]},
    }
    plane = state.get("data_plane")
    vm = state["boot"].get("kind") == "vm"
    if plane:
        extra["DEFAULT"]["default_deploy_interface"] = "iscsi"
        # A VM's ramdisk runs under emulation: its tgtd and agent answer slower.
        wait = "90" if vm else "30"
        extra["tripleo_deploy"] = {"initiator_netns": plane["namespace"],
                                   "image_cache_dir": plane["image_cache"],
                                   "writer": "userspace", "target_wait_timeout": wait,
                                   "agent_command_timeout": wait}
    if vm:
        # The kernel's console on the VM's serial port, which is its console.log.
        extra["pxe"] = {"kernel_append_params": "nofb vga=normal console=ttyS0,115200n8"}
        # Ironic unpacks zstd files it fetches, the ramdisk too: 184 MB instead of 47 MB
        # to download, and a 512 MiB VM then fails to unpack it ("write error", panic).
        extra["conductor"]["disable_zstandard_decompression"] = "true"
        extra["DEFAULT"]["default_boot_interface"] = "ipxe"
        http = state["http"]
        extra["deploy"] = {"http_url": f"http://{state['network']['host_address']}:"
                                       f"{http['port']}"}
    if state.get("keystone"):
        for section, values in keystone_auth.ironic_sections(state["keystone"]).items():
            extra.setdefault(section, {}).update(values)
    return {
        "host_ip": state["network"]["host_address"],
        "inspect_interfaces": ("discoverd", "no-inspect"),
        "deploy_interfaces": ("iscsi", "fake") if plane else ("fake", "iscsi"),
        "extra": extra,
    }


def start_lab_discoverd(state: dict) -> int:
    """Start the lab's discoverd as lab.json says (noauth, or behind Keystone with its
    own ``clouds.yaml`` for Ironic); return its pid."""
    net, discoverd = state["network"], state["discoverd"]
    workdir = Path(state["dnsmasq"]["workdir"])
    keystone = state.get("keystone")
    env = None
    if keystone:
        clouds = keystone_auth.write_discoverd_clouds(
            keystone, Path(discoverd["workdir"]) / "clouds.yaml", state["ironic_url"])
        env = {"OS_CLIENT_CONFIG_FILE": str(clouds)}
    return start_discoverd(Path(discoverd["workdir"]), state["discoverd_url"],
                           discoverd_config(
        Path(discoverd["workdir"]), net["host_address"], discoverd["port"],
        state["ironic_url"], dnsmasq_log=workdir / "dnsmasq.log",
        hostsdir=workdir / "dhcp-hostsdir" if discoverd.get("pxe_filter") else None,
        keystone=keystone), env=env)


def stop_lab_discoverd(state: dict) -> None:
    """Stop the lab's discoverd (by its pid file, if its argv names its workdir)."""
    stop(Path(state["discoverd"]["pid_file"]), state["discoverd"]["workdir"])


def start_all(state: dict) -> None:
    """Start discoverd, then dnsmasq; Ironic must be configured (its tftp_root exists)."""
    net = state["network"]
    dnsmasq = state["dnsmasq"]
    write_boot_files(Path(dnsmasq["tftp_root"]), state["boot"])
    workdir = Path(dnsmasq["workdir"])
    start_lab_discoverd(state)
    workdir.mkdir(parents=True, exist_ok=True)
    script_url = None
    if "http" in state:
        http = state["http"]
        start_http(Path(http["workdir"]), net["host_address"], http["port"],
                   Path(http["root"]))
        script_url = f"http://{net['host_address']}:{http['port']}/boot.ipxe"
    start_dnsmasq(dnsmasq_argv(net, state["network"]["bridge"],
                               Path(dnsmasq["tftp_root"]), workdir, script_url), workdir)


def stop_all(state: dict) -> None:
    """Stop dnsmasq and discoverd if lab.json names them (older labs do not)."""
    if "dnsmasq" in state:
        stop(Path(state["dnsmasq"]["pid_file"]), state["dnsmasq"]["tftp_root"])
    if "discoverd" in state:
        stop_lab_discoverd(state)
    if "http" in state:
        stop(Path(state["http"]["pid_file"]), state["http"]["root"])
