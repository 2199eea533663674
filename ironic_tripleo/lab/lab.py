"""A lab: real Ironic, one virtual BMC process and N virtual nodes on a bridge.

Nodes are namespaces (the default: a firmware emulation runs the agent on the host)
or qemu VMs (``node_kind="vm"``: a tap on the bridge, the node's disk file as a
virtio disk, the real PXE chain booting the built ramdisk; see ``vm_node``).

``Lab(workdir).up(specs)`` writes ``lab.json`` naming every piece *before* creating
it, so ``Lab(workdir).down()`` can remove everything even after a half-failed
``up`` (it is idempotent). ``lab.json`` and ``instackenv.json`` are what other
tools read; see ``describe()`` for lab.json's format.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import fcntl
import ipaddress
import json
import logging
import os
import secrets
import socket
from collections.abc import Iterator
from pathlib import Path

from ironic_tripleo.lab import (
    bmc_process,
    ironic_cluster,
    layout,
    netns,
    process,
    pxe_services,
    qemu_vm,
)
from ironic_tripleo.lab.exception import LabStateError
from ironic_tripleo.lab.ironic_service import IronicConfig, IronicService
from ironic_tripleo.lab.node import NodeDir, NodeSpec
from ironic_tripleo.lab.node_backend import LabNodeBackend
from ironic_tripleo.lab.ports import free_ports
from ironic_tripleo.lab.vm_node import VmNodeBackend

LOG = logging.getLogger(__name__)

SUBNET_LOCK = Path("/run/lock/ironic-tripleo-lab.lock")
NODE_KINDS = ("namespace", "vm")


@contextlib.contextmanager
def _host_network_lock() -> Iterator[None]:
    """Serialise subnet choice and bridge creation between labs on this machine."""
    SUBNET_LOCK.parent.mkdir(parents=True, exist_ok=True)
    with open(SUBNET_LOCK, "a") as fd:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


def _new_lab_id() -> str:
    namespaces = netns.list_namespaces()
    while True:
        lab_id = secrets.token_hex(3)
        if not netns.link_exists(layout.bridge_name(lab_id)) and not any(
                lab_id in ns for ns in namespaces):
            return lab_id


class Lab:
    """The lab whose files live in ``workdir``."""

    def __init__(self, workdir: Path | str) -> None:
        self.workdir = Path(workdir).resolve()
        self.state_file = self.workdir / "lab.json"
        self.instackenv_file = self.workdir / "instackenv.json"

    # -- files ----------------------------------------------------------------

    def load(self) -> dict | None:
        """Return lab.json, or None when there is no lab here."""
        try:
            return json.loads(self.state_file.read_text())
        except FileNotFoundError:
            return None

    def _save(self, state: dict, path: Path | None = None) -> None:
        path = path or self.state_file
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(state, out, indent=2)
            out.write("\n")
        os.replace(tmp, path)

    def plan(self, specs: list[NodeSpec], subnet: str, ironic_port: int | None,
             bmc_user: str, bmc_password: str | None, vm: dict | None = None,
             pxe_filter: bool = False) -> dict:
        """Return the lab.json document for a new lab (names, ports; nothing created).

        :param vm: for a VM lab, ``accel`` (``kvm``/``tcg``), ``nic_model`` and the
            ramdisk's ``kernel`` and ``initramfs`` paths.
        :param pxe_filter: discoverd's dnsmasq PXE filter on (see ``pxe_services.plan``).
        """
        lab_id = _new_lab_id()
        password = bmc_password or secrets.token_hex(8)
        nodes = []
        bmc_ports = free_ports(len(specs), socket.SOCK_DGRAM)
        for index, spec in enumerate(specs):
            label = f"{index} ({spec.name or '-'})"
            spec.validate(label)
            if vm:
                qemu_vm.check_memory(spec.name or f"node-{index}", spec.memory_mb)
            names = layout.node_names(lab_id, index, spec.name)
            node_dir = self.workdir / "nodes" / names.name
            nodes.append({
                "name": names.name, "namespace": names.namespace, "veth": names.veth,
                "node_if": "eth0", "mac": names.mac, "node_dir": str(node_dir),
                "disk": str(node_dir / "disk.img"), "cpus": spec.cpus,
                "memory_mb": spec.memory_mb, "disk_gb": spec.disk_gb, "arch": spec.arch,
                "disk_rotational": spec.disk_rotational,
                "bmc": {"address": "127.0.0.1", "port": bmc_ports[index],
                        "username": bmc_user, "password": password},
            })
            if vm:
                nodes[-1] |= _vm_node(lab_id, index, nodes[-1], vm)
        if len({n["name"] for n in nodes}) != len(nodes):
            raise layout.LabConfigError(field="node names", value=[n["name"] for n in nodes],
                                        allowed="unique names")
        fixed = [ironic_port] if ironic_port else []
        ironic_free, inspector_port, http_port = free_ports(3, avoid=fixed)
        port = ironic_port or ironic_free
        services = pxe_services.plan(self.workdir, self.workdir / "ironic",
                                     inspector_port, pxe_filter)
        if vm:
            services["boot"] |= {"kind": "vm", "deploy_kernel_source": str(vm["kernel"]),
                                 "deploy_ramdisk_source": str(vm["initramfs"])}
            # Ironic's [deploy] http_root, served on the bridge for iPXE
            services["http"] = {"port": http_port,
                                "root": str(self.workdir / "ironic" / "httpboot"),
                                "workdir": str(self.workdir / "http"),
                                "pid_file": str(self.workdir / "http" / "http.pid")}
        return services | {
            "lab_id": lab_id, "state": "starting", "workdir": str(self.workdir),
            "ironic_url": f"http://127.0.0.1:{port}",
            "ironic": {"port": port, "workdir": str(self.workdir / "ironic"),
                       "pid_file": str(self.workdir / "ironic" / "ironic.pid")},
            "vbmc": {"config": str(self.workdir / "vbmc.yaml"),
                     "pid_file": str(self.workdir / "vbmc.pid"),
                     "log": str(self.workdir / "vbmc.log")},
            "network": {"bridge": layout.bridge_name(lab_id), "requested_subnet": subnet}
            | ({"ipv6_prefix": layout.ipv6_prefix(lab_id)} if vm else {}),
            # The conductor's data plane: see _add_data_plane.
            "data_plane": {"namespace": f"itl-{lab_id}-cdp", "veth": f"itv-{lab_id}-c",
                           "mac": "52:54:00:" + ":".join(
                               f"{int(lab_id[i:i + 2], 16):02x}" for i in (0, 2))
                           + ":fe", "image_cache": str(self.workdir / "image_cache")},
            "instackenv": str(self.instackenv_file),
            "nodes": nodes,
        }

    # -- up -------------------------------------------------------------------

    def up(self, specs: list[NodeSpec], subnet: str = layout.DEFAULT_SUBNET,
           ironic_port: int | None = None, bmc_user: str = "admin",
           bmc_password: str | None = None, ironic_overrides: dict | None = None,
           keep_on_failure: bool = False, node_kind: str = "namespace",
           ramdisk: tuple[Path | str, Path | str] | None = None, accel: str = "auto",
           nic_model: str = "virtio", ironic_shape: str = "all-in-one",
           pxe_filter: bool = False, keystone: dict | None = None) -> dict:
        """Bring the lab up; return lab.json's document.

        :param specs: one ``NodeSpec`` per node.
        :param node_kind: ``namespace`` (default) or ``vm`` (qemu VMs; needs ``ramdisk``).
        :param ramdisk: (kernel, initramfs) the VMs PXE-boot (``ramdisk build``'s output).
        :param accel: ``auto`` (KVM when ``qemu_vm.probe_kvm`` says it works), ``kvm``
            or ``tcg``: VM labs only.
        :param nic_model: ``virtio`` or ``e1000``: VM labs only.
        :param subnet: part of 198.51.100.0/24 or 203.0.113.0/24, or ``auto``.
        :param ironic_port: Ironic API port (default: a free one).
        :param ironic_overrides: extra ``IronicConfig`` fields; its ``extra`` options are
            merged into the lab's, section by section.
        :param keep_on_failure: leave a half-built lab for inspection (``down`` cleans).
        :param ironic_shape: ``all-in-one`` (one ``ironic`` process, SQLite) or
            ``production`` (``ironic_cluster``: PostgreSQL, ``ironic-api`` workers, two
            conductors over JSON-RPC).
        :param pxe_filter: discoverd runs its dnsmasq PXE filter on the lab's dnsmasq
            (``[pxe_filter] driver = dnsmasq``): known MACs get DHCP only while their
            node is introspected, so nodes cannot be deployed through it.
        :param keystone: an undercloud's Keystone record (``keystone_auth``): Ironic
            and discoverd start behind Keystone; None: noauth.
        :raises TripleOError: on any failure, after cleaning up (unless kept).
        """
        existing = self.load()
        if existing and existing.get("state") != "down":
            raise LabStateError(workdir=self.workdir,
                                reason=f"a lab is already {existing.get('state')} here; "
                                       "run 'ironic-tripleo lab down' first")
        vm = _vm_options(node_kind, ramdisk, accel, nic_model)
        if ironic_shape not in ironic_cluster.SHAPES:
            raise layout.LabConfigError(field="ironic shape", value=ironic_shape,
                                        allowed=", ".join(ironic_cluster.SHAPES))
        self.workdir.mkdir(parents=True, exist_ok=True)
        state = self.plan(specs, subnet, ironic_port, bmc_user, bmc_password, vm,
                          pxe_filter)
        state["ironic"]["shape"] = ironic_shape
        # kept for a restart with another authentication (set_keystone)
        state["ironic"]["overrides"] = ironic_overrides or {}
        state["keystone"] = keystone
        self._save(state)
        try:
            self._build(state)
        except BaseException:
            if not keep_on_failure:
                LOG.error("lab up failed; removing what was built")
                self.down()
            raise
        return state

    def _build(self, state: dict) -> None:
        net = state["network"]
        with _host_network_lock():
            subnet = layout.free_subnet(netns.host_networks(), net["requested_subnet"],
                                        nodes=len(state["nodes"]))
            net.update(layout.network_plan(subnet))
            self._save(state)
            address = f"{net['host_address']}/{net['prefixlen']}"
            netns.add_bridge(net["bridge"], ipaddress.IPv4Interface(address))
            if net.get("ipv6_prefix"):
                netns.add_bridge_ipv6(net["bridge"], net["ipv6_prefix"])
        LOG.info("bridge %s up with %s", net["bridge"], address)
        self._add_data_plane(state)
        for node in state["nodes"]:
            if node.get("kind") == "vm":
                netns.add_tap(net["bridge"], node["tap"])
                NodeDir.create(Path(node["node_dir"]), _spec(node), node["name"],
                               node["mac"], None, {"kind": "vm", "vm": node["vm"]})
                LOG.info("VM node %s: tap %s, MAC %s, %s vCPU, %s MiB, %s GiB disk (%s)",
                         node["name"], node["tap"], node["mac"], node["cpus"],
                         node["memory_mb"], node["disk_gb"], node["vm"]["accel"])
                continue
            netns.add_namespace(node["namespace"])
            netns.add_node_link(net["bridge"], node["veth"], node["namespace"], node["mac"],
                                node["node_if"])
            NodeDir.create(Path(node["node_dir"]), _spec(node), node["name"], node["mac"],
                           node["namespace"])
            LOG.info("node %s: namespace %s, MAC %s, %s GiB disk", node["name"],
                     node["namespace"], node["mac"], node["disk_gb"])
        vbmc = state["vbmc"]
        bmc_process.write_config(Path(vbmc["config"]), state["nodes"])
        # Started first, waited for last: its start-up overlaps discoverd's and Ironic's.
        pid = bmc_process.start(Path(vbmc["config"]), Path(vbmc["pid_file"]),
                                Path(vbmc["log"]))
        # Ironic and discoverd listen on the bridge, where the nodes reach them.
        host = net["host_address"]
        state["ironic_url"] = f"http://{host}:{state['ironic']['port']}"
        state["discoverd_url"] = f"http://{host}:{state['discoverd']['port']}"
        self._save(state)
        ironic_cfg = _ironic_config(state)
        ironic = (ironic_cluster.for_lab(ironic_cfg)
                  if state["ironic"].get("shape") == "production"
                  else IronicService(ironic_cfg))
        ironic.workdir.mkdir(parents=True, exist_ok=True)
        # A lab brought up again in the same directory starts with a new Ironic database
        # (create_schema refuses an existing one, and its nodes belong to the old lab).
        (ironic.workdir / "ironic.sqlite").unlink(missing_ok=True)
        ironic.write_config()
        # Ironic needs neither discoverd nor dnsmasq to start: the start-ups overlap.
        # An error of discoverd's or dnsmasq's wins; Ironic's is raised after theirs.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            ironic_started = pool.submit(ironic.start)
            pxe_services.start_all(state)
            LOG.info("discoverd at %s, dnsmasq on %s", state["discoverd_url"],
                     net["bridge"])
        ironic_started.result()
        if isinstance(ironic, ironic_cluster.IronicCluster):
            state["ironic"]["cluster"] = ironic.record()
        LOG.info("Ironic up at %s", state["ironic_url"])
        bmc_process.wait_ready(pid, state["nodes"], Path(vbmc["log"]))
        LOG.info("virtual BMC up for %d nodes (pid %s)", len(state["nodes"]), pid)
        self._save(layout.instackenv(state["nodes"], state["boot"]), self.instackenv_file)
        state["state"] = "up"
        self._save(state)

    def _add_data_plane(self, state: dict) -> None:
        """Create the conductor's data-plane namespace on the bridge.

        The iscsi deploy interface connects to each deploy ramdisk (its command API
        and its tgtd portal on the node's DHCP address). Those connections must not
        start in the host namespace towards a node namespace's address (a rule of
        this machine), and on a real site they start from the conductor's
        provisioning interface anyway. So the lab gives the conductor a second leg,
        a namespace plugged into the bridge like a node, with the bridge subnet's
        second address; Ironic gets ``[tripleo_deploy] initiator_netns`` naming it
        (qemu-img runs there, agent API sockets are created there). Ironic's API
        stays on the bridge's host address, where the ramdisks heartbeat.
        """
        net, plane = state["network"], state["data_plane"]
        hosts = ipaddress.IPv4Network(net["subnet"]).hosts()
        next(hosts)
        plane["address"] = str(next(hosts))
        self._save(state)
        netns.add_namespace(plane["namespace"])
        netns.add_node_link(net["bridge"], plane["veth"], plane["namespace"], plane["mac"])
        netns.ip("-n", plane["namespace"], "addr", "add",
                 f"{plane['address']}/{net['prefixlen']}", "dev", "eth0")
        LOG.info("conductor data plane: namespace %s at %s", plane["namespace"],
                 plane["address"])

    # -- authentication -------------------------------------------------------

    def set_keystone(self, keystone: dict | None) -> dict:
        """Restart the running lab's Ironic and discoverd behind an undercloud's
        Keystone (``keystone``, a ``keystone_auth`` record) or back to noauth
        (None); their databases, hence nodes and introspections, are kept.

        A ``production``-shaped Ironic keeps its PostgreSQL server; its API and
        conductors are started again.

        :raises LabStateError: no lab is up here.
        :raises TripleOError: a service did not start again.
        """
        state = self.load()
        if state is None or state.get("state") != "up":
            raise LabStateError(workdir=self.workdir, reason="no lab is up here")
        cluster = state["ironic"].get("cluster")
        if cluster:
            ironic = ironic_cluster.IronicCluster.from_record(_ironic_config(state),
                                                              cluster)
        else:
            ironic = IronicService(_ironic_config(state))
            ironic.stop()
        pxe_services.stop_lab_discoverd(state)
        state["keystone"] = keystone
        self._save(state)
        pxe_services.start_lab_discoverd(state)
        if cluster:
            try:
                ironic.restart(_ironic_config(state))
            finally:  # the new pids, or none when it failed (stopped)
                state["ironic"]["cluster"] = ironic.record()
                self._save(state)
        else:
            ironic.cfg = _ironic_config(state)
            ironic.start(create_schema=False)
        LOG.info("lab %s: Ironic and discoverd restarted %s", state["lab_id"],
                 "behind Keystone" if keystone else "without authentication")
        return state

    # -- down -----------------------------------------------------------------

    def down(self) -> bool:
        """Stop and remove everything lab.json names. Idempotent.

        :returns: False when there was no lab in ``workdir``.
        """
        state = self.load()
        if state is None:
            return False
        vbmc_pid = process.read_pid(Path(state["vbmc"]["pid_file"]))
        if process.runs(vbmc_pid, state["vbmc"]["config"]):
            process.stop_group(vbmc_pid, timeout=5)
        for node in state["nodes"]:
            pid_file = Path(node["node_dir"]) / "firmware.pid"
            pid = process.read_pid(pid_file)
            if process.runs(pid, node["node_dir"]):
                process.kill_group(pid)  # the firmware, or a VM's qemu
            if node.get("namespace") and netns.namespace_exists(node["namespace"]):
                for pid in netns.namespace_pids(node["namespace"]):
                    process.kill_pid(pid)
            pid_file.unlink(missing_ok=True)
        ironic_pid = process.read_pid(Path(state["ironic"]["pid_file"]))
        if process.runs(ironic_pid, state["ironic"]["workdir"]):
            process.stop_group(ironic_pid, timeout=10)
        Path(state["ironic"]["pid_file"]).unlink(missing_ok=True)
        ironic_cluster.stop_recorded(state["ironic"].get("cluster"),
                                     Path(state["ironic"]["workdir"]))
        pxe_services.stop_all(state)
        for node in state["nodes"]:
            if node.get("kind") == "vm":
                netns.delete_link(node["tap"])
                continue
            netns.delete_namespace(node["namespace"])
            netns.delete_link(node["veth"])
        plane = state.get("data_plane")
        if plane:
            if netns.namespace_exists(plane["namespace"]):
                for pid in netns.namespace_pids(plane["namespace"]):
                    process.kill_pid(pid)
            netns.delete_namespace(plane["namespace"])
            netns.delete_link(plane["veth"])
        netns.delete_link(state["network"]["bridge"])
        if state.get("state") != "down":
            state["state"] = "down"
            self._save(state)
            LOG.info("lab %s in %s is down", state["lab_id"], self.workdir)
        return True

    # -- status ---------------------------------------------------------------

    def status(self) -> dict:
        """Return lab.json's state plus live facts: ``ironic_pid``, ``vbmc_pid``, and
        per node ``power`` (on/off) and ``pid`` (firmware pid or None).

        :raises LabStateError: when there is no lab in ``workdir``.
        """
        state = self.load()
        if state is None:
            raise LabStateError(workdir=self.workdir, reason="no lab.json (run 'lab up')")
        for key, pid_file in (("ironic_pid", state["ironic"]["pid_file"]),
                              ("vbmc_pid", state["vbmc"]["pid_file"])):
            pid = process.read_pid(Path(pid_file))
            state[key] = pid if process.is_alive(pid) else None
        for node in state["nodes"]:
            pid = None
            if (Path(node["node_dir"]) / "node.json").exists() and node.get("kind") == "vm":
                vm_backend = VmNodeBackend(node["node_dir"])
                with vm_backend.node.locked():
                    pid = vm_backend.qemu_pid()
            elif (Path(node["node_dir"]) / "node.json").exists():
                backend = LabNodeBackend(node["node_dir"])
                with backend.node.locked():
                    pid = backend.firmware_pid()
            node["pid"] = pid
            node["power"] = "on" if pid else "off"
        return state


def _ironic_config(state: dict) -> IronicConfig:
    """The lab's Ironic as lab.json describes it: its settings (``pxe_services``)
    with the caller's overrides on top, section by section for ``extra``."""
    overrides = state["ironic"].get("overrides", {})
    settings = pxe_services.ironic_settings(state)
    extra_overrides = overrides.get("extra", {})
    extra = {section: settings["extra"].get(section, {}) | extra_overrides.get(section, {})
             for section in settings["extra"].keys() | extra_overrides.keys()}
    return IronicConfig(workdir=Path(state["ironic"]["workdir"]),
                        port=state["ironic"]["port"],
                        **(settings | overrides | {"extra": extra}))


def _spec(node: dict) -> NodeSpec:
    return NodeSpec(cpus=node["cpus"], memory_mb=node["memory_mb"], disk_gb=node["disk_gb"],
                    arch=node["arch"], disk_rotational=node.get("disk_rotational", False))


def _vm_options(node_kind: str, ramdisk: tuple | None, accel: str,
                nic_model: str) -> dict | None:
    """Check a VM lab's options (qemu installed, ramdisk given, accelerator usable)."""
    if node_kind not in NODE_KINDS:
        raise layout.LabConfigError(field="node kind", value=node_kind,
                                    allowed=f"one of {', '.join(NODE_KINDS)}")
    if node_kind == "namespace":
        return None
    qemu_vm.find_qemu()
    if nic_model not in qemu_vm.NIC_MODELS:
        raise layout.LabConfigError(field="nic model", value=nic_model,
                                    allowed=f"one of {', '.join(qemu_vm.NIC_MODELS)}")
    missing = [str(p) for p in ramdisk or ("(none given)",) if not Path(p).is_file()]
    if missing:
        raise layout.LabConfigError(
            field="ramdisk", value=missing, allowed="VM nodes PXE-boot a real ramdisk: build "
            "it with 'ironic-tripleo ramdisk build --output DIR' and pass --ramdisk-dir DIR")
    chosen, why = qemu_vm.choose_accel(accel)
    LOG.info("VM nodes run under %s (%s)", chosen, why)
    return {"accel": chosen, "nic_model": nic_model, "kernel": Path(ramdisk[0]).resolve(),
            "initramfs": Path(ramdisk[1]).resolve()}


def _vm_node(lab_id: str, index: int, node: dict, vm: dict) -> dict:
    """lab.json's extra keys for VM node ``index``: its tap and qemu's settings."""
    serial = "ITL" + node["mac"].replace(":", "").upper()
    return {"kind": "vm", "namespace": None, "veth": None, "node_if": None,
            "tap": layout.tap_name(lab_id, index), "vm": {
        "tap": layout.tap_name(lab_id, index), "accel": vm["accel"],
        "nic_model": vm["nic_model"],
        "disks": [{"path": node["disk"], "serial": serial + "D0"}],
        "smbios": {"manufacturer": "ironic-tripleo", "product": "lab-vm",
                   "serial": f"{serial}S"}}}


@contextlib.contextmanager
def running_lab(workdir: Path | str, specs: list[NodeSpec], **up_kwargs: object
                ) -> Iterator[dict]:
    """Bring a lab up for the ``with`` block and always down afterwards.

    ``up_kwargs`` are those of ``Lab.up`` (``subnet="auto"`` suits tests that run in
    parallel). Yields lab.json's document.
    """
    lab = Lab(workdir)
    try:
        yield lab.up(specs, **up_kwargs)  # type: ignore[arg-type]
    finally:
        lab.down()
