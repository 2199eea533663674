"""``ironic-tripleo lab up|status|down``: the lab of virtual nodes behind real Ironic."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
from pathlib import Path

from ironic_tripleo.exception import TripleOError
from ironic_tripleo.lab import ironic_cluster, layout, qemu_vm
from ironic_tripleo.lab.lab import NODE_KINDS, Lab
from ironic_tripleo.lab.node import NodeSpec
from ironic_tripleo.lab.undercloud.undercloud import Undercloud

LOG = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``lab`` and its sub-commands."""
    parser = subparsers.add_parser("lab", help="virtual nodes, virtual BMC and real Ironic")
    sub = parser.add_subparsers(dest="lab_command", required=True)

    up = sub.add_parser("up", help="start Ironic, the virtual BMC and N virtual nodes")
    _workdir(up)
    up.add_argument("--nodes", type=int, default=2, help="number of nodes (default 2)")
    up.add_argument("--node-spec", action="append", default=[], metavar="SPEC",
                    help="hardware of the next node, e.g. "
                         "'cpus=4,memory_mb=8192,disk_gb=40,arch=x86_64,name=ctrl-0'; "
                         "repeat for each node; nodes without one get the defaults")
    up.add_argument("--lab-file", type=Path,
                    help="YAML file: {nodes: [{name, cpus, memory_mb, disk_gb, arch}], "
                         "subnet}; overrides --nodes and --node-spec")
    up.add_argument("--subnet", default=None,
                    help=f"provisioning subnet (default {layout.DEFAULT_SUBNET}); part of "
                         "198.51.100.0/24 or 203.0.113.0/24, or 'auto'")
    up.add_argument("--ironic-port", type=int, default=None,
                    help="Ironic API port (default: a free one)")
    up.add_argument("--ironic", choices=ironic_cluster.SHAPES, default="all-in-one",
                    help="all-in-one: one 'ironic' process on SQLite (default); "
                         "production: PostgreSQL, ironic-api with 2 workers and two "
                         "ironic-conductor processes on one hash ring (JSON-RPC)")
    up.add_argument("--pxe-filter", action="store_true",
                    help="run discoverd's dnsmasq PXE filter on the lab's dnsmasq: MACs "
                         "known to Ironic get DHCP only while their node is introspected "
                         "(deploying through the lab is then refused)")
    up.add_argument("--keep-on-failure", action="store_true",
                    help="leave a half-built lab for inspection ('lab down' removes it)")
    add_vm_arguments(up)
    up.set_defaults(func=cmd_up)

    status = sub.add_parser("status", help="show the lab's nodes, BMC ports and power")
    _workdir(status)
    status.add_argument("--json", action="store_true", help="print lab.json with live state")
    status.set_defaults(func=cmd_status)

    down = sub.add_parser("down", help="stop and remove everything (idempotent)")
    _workdir(down)
    down.set_defaults(func=cmd_down)


# A VM node without a --node-spec: small, so that several fit on a laptop.
VM_DEFAULT_SPEC = NodeSpec(cpus=1, memory_mb=qemu_vm.MIN_MEMORY_MB, disk_gb=4)


def add_vm_arguments(parser: argparse.ArgumentParser) -> None:
    """``--node-kind``, ``--ramdisk-dir``, ``--accel`` and ``--nic-model``."""
    parser.add_argument("--node-kind", choices=NODE_KINDS, default="namespace",
                        help="namespace (default, fast: the agent runs on the host) or vm "
                             "(qemu VMs PXE-booting the built ramdisk; nodes without "
                             "--node-spec get 1 vCPU, 512 MiB, 4 GiB)")
    parser.add_argument("--ramdisk-dir", type=Path, default=Path("work/ramdisk"),
                        help="VM nodes: directory with ironic-tripleo.kernel and "
                             "ironic-tripleo.initramfs ('ironic-tripleo ramdisk build "
                             "--output DIR'; default work/ramdisk)")
    parser.add_argument("--accel", choices=qemu_vm.ACCELS, default="auto",
                        help="VM nodes: auto (KVM if a probe says it works, else TCG), "
                             "kvm or tcg")
    parser.add_argument("--nic-model", choices=sorted(qemu_vm.NIC_MODELS), default="virtio",
                        help="VM nodes: the NIC model (its iPXE ROM PXE-boots)")


def ramdisk_files(directory: Path) -> tuple[Path, Path]:
    """The (kernel, initramfs) that ``ramdisk build --output DIRECTORY`` writes."""
    return directory / "ironic-tripleo.kernel", directory / "ironic-tripleo.initramfs"


def _workdir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workdir", type=Path, default=Path("work/lab"),
                        help="directory of the lab's files (default work/lab)")


def node_specs(args: argparse.Namespace) -> tuple[list[NodeSpec], str]:
    """Return the node specs and subnet chosen by ``args``."""
    subnet = args.subnet
    if args.lab_file:
        specs, options = layout.load_lab_file(args.lab_file)
        subnet = subnet or options.get("subnet")
    else:
        specs = [NodeSpec.parse(text) for text in args.node_spec]
        default = VM_DEFAULT_SPEC if getattr(args, "node_kind", None) == "vm" else NodeSpec()
        specs += [dataclasses.replace(default) for _ in range(args.nodes - len(specs))]
    return specs, subnet or layout.DEFAULT_SUBNET


def cmd_up(args: argparse.Namespace) -> int:
    try:
        specs, subnet = node_specs(args)
        lab = Lab(args.workdir)
        undercloud = Undercloud(args.workdir)
        keystone = undercloud.keystone_for_lab()
        state = lab.up(specs, subnet=subnet, ironic_port=args.ironic_port,
                       keep_on_failure=args.keep_on_failure, node_kind=args.node_kind,
                       ramdisk=ramdisk_files(args.ramdisk_dir), accel=args.accel,
                       nic_model=args.nic_model, ironic_shape=args.ironic,
                       pxe_filter=args.pxe_filter, keystone=keystone)
        if keystone:
            undercloud.lab_started(state)
    except TripleOError as exc:
        LOG.error("%s", exc)
        return 1
    except KeyboardInterrupt:
        LOG.error("interrupted; what was built has been removed")
        return 130
    print(f"lab {state['lab_id']} is up: Ironic {state['ironic_url']}, "
          f"bridge {state['network']['bridge']} {state['network']['host_address']}"
          f"/{state['network']['prefixlen']}")
    print(f"inventory: {lab.instackenv_file}")
    if keystone:
        print(f"Ironic and discoverd are behind the undercloud's Keystone: "
              f"OS_CLIENT_CONFIG_FILE={keystone['clouds_yaml']} OS_CLOUD={keystone['cloud']}"
              f" (OS_CLOUD={keystone['system_cloud']} for Ironic's drivers API, e.g. "
              "'ironic-tripleo enroll')")
    print(format_status(lab.status()))
    return 0


def format_status(state: dict) -> str:
    """Return the status table of ``Lab.status()``."""
    rows = [("node", "namespace/tap", "mac", "BMC port", "power", "pid")]
    rows += [(n["name"], n.get("namespace") or f"vm on {n.get('tap')}", n["mac"],
              str(n["bmc"]["port"]), n["power"], str(n["pid"] or "-"))
             for n in state["nodes"]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [f"lab {state['lab_id']} ({state['state']}) in {state['workdir']}",
             f"ironic {state['ironic_url']} pid {state.get('ironic_pid') or '-'}; "
             f"vbmc pid {state.get('vbmc_pid') or '-'}"]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
              for row in rows]
    return "\n".join(lines)


def cmd_status(args: argparse.Namespace) -> int:
    try:
        state = Lab(args.workdir).status()
    except TripleOError as exc:
        LOG.error("%s", exc)
        return 1
    if args.json:
        for node in state["nodes"]:
            node["bmc"]["password"] = "***"  # noqa: S105 - masking, not a secret
        print(json.dumps(state, indent=2))
    else:
        print(format_status(state))
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    try:  # no nova-compute left driving a gone Ironic; the catalog no longer names it
        Undercloud(args.workdir).lab_stopping()
    except Exception as exc:  # noqa: BLE001 - an undercloud that does not answer: the lab goes anyway
        LOG.warning("the undercloud still names the lab (its Ironic compute or catalog "
                    "entries): %s", exc)
    if Lab(args.workdir).down():
        print(f"lab in {args.workdir.resolve()} is down")
    else:
        print(f"no lab in {args.workdir.resolve()}")
    return 0
