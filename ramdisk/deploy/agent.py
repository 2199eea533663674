"""``ironic-tripleo-ramdisk deploy``: look the node up, serve commands, heartbeat.

The Ironic API URL comes from ``--ironic-url`` or ``ipa-api-url=`` on the kernel
command line; the MACs from ``--mac``, else ``BOOTIF=``, else every NIC. Exit codes:
0 powered off or stopped by a signal, 1 the lookup failed, 2 usage.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import threading
from urllib.parse import urlparse

import requests

from ramdisk import agent_log, cmdline, lab_seam
from ramdisk.deploy import heartbeat, root_device
from ramdisk.deploy.command_api import CommandServer
from ramdisk.deploy.commands import DeployCommands, device_size
from ramdisk.deploy.exception import LookupFailed, NoAPIURL, NoMACs
from ramdisk.exception import CmdlineError

LOG = logging.getLogger(__name__)
SYS_NET = "/sys/class/net"


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add the ``deploy`` sub-command (an entry of ``ramdisk.cmd.MODES``)."""
    p = sub.add_parser("deploy", help="export the root disk over iSCSI for Ironic's iscsi "
                                      "deploy interface")
    p.add_argument("--ironic-url", help="Ironic API (default: ipa-api-url on the kernel "
                                        "command line)")
    p.add_argument("--cmdline", default=cmdline.PROC_CMDLINE, metavar="FILE",
                   help="kernel command line to read (default: %(default)s)")
    p.add_argument("--mac", action="append", default=[],
                   help="MAC to look the node up with (repeatable; default: BOOTIF, "
                        "else every NIC)")
    p.add_argument("--listen", default="0.0.0.0", metavar="ADDR",  # noqa: S104
                   help="address of the command API (default: %(default)s)")
    p.add_argument("--port", type=int, default=9999,
                   help="port of the command API (default: %(default)s)")
    p.add_argument("--advertise-address", metavar="ADDR",
                   help="address the conductor reaches this machine at (command API and "
                        "iSCSI portal; default: the source address towards Ironic)")
    p.add_argument("--disk", action="append", default=[], metavar="PATH",
                   help="lab only (honoured with IRONIC_TRIPLEO_LAB_NODE=1, see "
                        "ramdisk/lab_seam.py): offer only these block devices or files as "
                        "root disk; default: the disk files of tripleo-lab-hardware= (lab "
                        "nodes), else every disk found by udev")
    p.add_argument("--poweroff-command", default="poweroff -f",
                   help="run by the power_off command (default: %(default)s)")
    p.add_argument("--lookup-timeout", type=float, default=600.0, metavar="SECONDS",
                   help="keep retrying the lookup this long (default: %(default)s)")
    p.add_argument("--heartbeat-interval", type=float, metavar="SECONDS",
                   help="default: 0.3 x the heartbeat timeout Ironic announces")
    p.add_argument("--tgtd-control-port", type=int, metavar="N",
                   help="tgtd -C value (default: a free one)")
    p.set_defaults(func=run)


def nic_macs(sys_net: str = SYS_NET) -> list[str]:
    """Return the MACs of the NICs in ``sys_net`` (loopback and MAC-less ones left out)."""
    macs = []
    for name in sorted(os.listdir(sys_net)):
        try:
            with open(os.path.join(sys_net, name, "address"), encoding="ascii") as f:
                mac = f.read().strip().lower()
        except OSError:
            continue
        if name != "lo" and mac and mac != "00:00:00:00:00:00":
            macs.append(mac)
    return macs


def source_address(url: str) -> str:
    """Return the local address this machine uses to reach ``url``'s host."""
    parsed = urlparse(url)
    family = socket.AF_INET6 if ":" in (parsed.hostname or "") else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.connect((parsed.hostname or "127.0.0.1", parsed.port or 80))
        return s.getsockname()[0]


def file_disks(paths: list[str]) -> list[dict[str, object]]:
    """Inventory-like records for explicit devices or files (``--disk``)."""
    return [{"name": os.path.abspath(p), "size": device_size(p), "model": "", "vendor": "",
             "serial": None, "wwn": None, "rotational": False} for p in paths]


def lab_disks(cmdline_file: str) -> list[dict[str, object]] | None:
    """Lab only: the node's disk files from ``tripleo-lab-hardware=`` (None: no overlay).

    A lab node is a namespace that sees the host's disks; its overlay names the file
    that is its disk (``collectors/lab_overlay.py``). Records are named by the file's
    path, which is what gets exported.
    """
    try:
        with open(cmdline_file, encoding="utf-8", errors="replace") as f:
            path = cmdline.to_dict(f.read()).get(cmdline.LAB_HARDWARE_PARAM)
    except OSError:
        return None
    path = lab_seam.hardware_overlay(path)
    if not path:
        return None
    from ramdisk.collectors import lab_overlay

    overlay = lab_overlay.load(path)
    return [{"name": os.path.abspath(d["path"]), "size": d["size"],
             "model": d.get("model", ""), "vendor": d.get("vendor", ""),
             "serial": d.get("serial"), "wwn": None,
             "rotational": bool(d.get("rotational"))} for d in overlay["disks"]]


def resolve(args: argparse.Namespace) -> tuple[str, list[str]]:
    """Return the API URL and the MACs from the arguments and the kernel command line.

    :raises NoAPIURL, NoMACs:
    """
    try:
        with open(args.cmdline, encoding="utf-8", errors="replace") as f:
            raw = cmdline.to_dict(f.read())
    except OSError as exc:
        LOG.warning("cannot read the kernel command line %s: %s", args.cmdline, exc)
        raw = {}
    url = args.ironic_url or next((raw[p] for p in cmdline.API_URL_PARAMS if raw.get(p)), None)
    if not url:
        raise NoAPIURL(source=args.cmdline)
    macs = [cmdline.normalize_mac(m, "--mac") for m in args.mac]
    if not macs:
        for name in cmdline.BOOT_MAC_PARAMS:
            if raw.get(name):
                try:
                    macs = [cmdline.normalize_mac(raw[name], name)]
                    break
                except CmdlineError as exc:
                    LOG.warning("%s", exc)
    macs = macs or nic_macs()
    if not macs:
        raise NoMACs(source=args.cmdline)
    return url, macs


def lookup_with_retries(session: requests.Session, url: str, macs: list[str],
                        timeout: float, stop: threading.Event) -> heartbeat.LookupResult:
    """Retry the lookup (the node may not be in a lookup state yet) until ``timeout``.

    :raises LookupFailed: the last failure, when time is up or ``stop`` is set.
    """
    waited, delay = 0.0, 1.0
    while True:
        try:
            return heartbeat.lookup(session, url, macs)
        except LookupFailed as exc:
            if waited >= timeout or stop.is_set():
                raise
            LOG.info("%s; retrying in %.0fs", exc, delay)
        stop.wait(delay)
        waited += delay
        delay = min(delay * 2, 30.0)


def run(args: argparse.Namespace, capture: agent_log.LogCapture | None = None) -> int:
    """Run the deploy mode until powered off or signalled; see the module docstring."""
    try:
        url, macs = resolve(args)
    except (NoAPIURL, NoMACs, CmdlineError) as exc:
        LOG.error("%s", exc)
        return 2
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    advertise = args.advertise_address or source_address(url)
    with requests.Session() as session:
        try:
            found = lookup_with_retries(session, url, macs, args.lookup_timeout, stop)
        except LookupFailed as exc:
            LOG.error("%s", exc)
            return 1
        disk_paths = lab_seam.disks(args.disk)
        overlay = None if disk_paths else lab_disks(args.cmdline)
        if disk_paths:
            disks = lambda: file_disks(disk_paths)  # noqa: E731
        elif overlay is not None:
            disks = lambda: overlay  # noqa: E731
        else:
            disks = _udev_disks
        explicit = bool(disk_paths) or overlay is not None
        commands = DeployCommands(advertise, disks, found.root_device_hints,
                                  args.poweroff_command.split(), args.tgtd_control_port,
                                  min_size=0 if explicit else root_device.MIN_ROOT_SIZE)
        server = CommandServer((args.listen, args.port), commands, found.agent_token or "",
                               found.node_uuid, heartbeat.AGENT_VERSION).start()
        beats = heartbeat.Heartbeater(session, url, found,
                                      f"http://{advertise}:{server.server_address[1]}",
                                      args.heartbeat_interval).start()
        try:
            while not stop.wait(0.5):
                if commands.powering_off:
                    stop.wait(2.0)
                    break
        finally:
            beats.stop()
            server.stop()
            commands.close()
    return 0


def _udev_disks() -> list[dict[str, object]]:
    from ramdisk.collectors import disks

    return disks.collect()
