"""``ironic-tripleo demo``: its arguments, and which demo they ask for.

The lab alone (``ironic_tripleo.cli.demo``) or, with ``--undercloud``, the overcloud
deployed through a real undercloud (``ironic_tripleo.cli.demo_undercloud``, which
builds on the first).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ironic_tripleo.cli import demo, demo_undercloud
from ironic_tripleo.lab import qemu_vm


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``demo``."""
    parser = subparsers.add_parser(
        "demo", help="lab up, enroll, power and boot device, introspect, down")
    parser.add_argument("--workdir", type=Path, default=Path("work/demo"),
                        help="directory of the lab's files (default work/demo)")
    parser.add_argument("--subnet", default="198.51.100.0/24",
                        help="lab subnet (198.51.100.0/24 by default, or 'auto')")
    parser.add_argument("--keep", action="store_true", help="leave the lab up at the end")
    parser.add_argument("--node-kind", choices=("namespace", "vm"), default="namespace",
                        help="namespace nodes (default, fast) or 2 qemu VMs that PXE-boot "
                             "the built ramdisk")
    parser.add_argument("--ramdisk-dir", type=Path, default=Path("work/ramdisk"),
                        help="VM demo: the built ramdisk (built there first if missing)")
    parser.add_argument("--accel", choices=qemu_vm.ACCELS, default="auto",
                        help="VM demo: auto, kvm or tcg")
    parser.add_argument("--undercloud", action="store_true",
                        help="deploy the matched roles through a real undercloud: "
                             "Nova (Ironic driver) and Heat's overcloud stack")
    parser.set_defaults(func=cmd)


def cmd(args: argparse.Namespace) -> int:
    """Run the demo the arguments ask for."""
    if args.undercloud:
        return demo_undercloud.main(args)
    return demo.cmd_demo(args)
