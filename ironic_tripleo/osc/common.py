"""Helpers shared by the plugin's commands: the connection, node arguments, exit codes."""

from __future__ import annotations

import argparse
import os
from typing import Any

from cliff import lister

#: Where ``ironic-tripleo ramdisk build --output DIR`` put the deploy ramdisk.
RAMDISK_DIR_ENV = "IRONIC_TRIPLEO_RAMDISK_DIR"
DEFAULT_RAMDISK_DIR = "/var/lib/ironic/httpboot"
KERNEL_NAME, INITRAMFS_NAME = "ironic-tripleo.kernel", "ironic-tripleo.initramfs"


def connection(app: Any) -> Any:
    """openstacksdk connection from OSC's client manager."""
    return app.client_manager.sdk_connection


def add_node_selection(parser: argparse.ArgumentParser, verb: str) -> None:
    """``NODE...`` or ``--all-manageable`` (one of them required), as in TripleO."""
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("node_uuids", nargs="*", default=[], metavar="<node>",
                       help=f"names or UUIDs of the nodes to {verb}")
    group.add_argument("--all-manageable", action="store_true",
                       help=f"{verb} every node in 'manageable' (not in maintenance)")


def add_ramdisk_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ramdisk-dir", metavar="<dir>",
                        default=os.environ.get(RAMDISK_DIR_ENV, DEFAULT_RAMDISK_DIR),
                        help="directory where 'ironic-tripleo ramdisk build --output' put "
                             f"{KERNEL_NAME} and {INITRAMFS_NAME}, the default deploy "
                             f"images (env {RAMDISK_DIR_ENV}; default %(default)s)")


def ramdisk_urls(directory: str) -> tuple[str, str] | None:
    """``file://`` URLs of the built kernel and initramfs, None when not both there."""
    kernel = os.path.join(os.path.abspath(directory), KERNEL_NAME)
    initramfs = os.path.join(os.path.abspath(directory), INITRAMFS_NAME)
    if os.path.isfile(kernel) and os.path.isfile(initramfs):
        return f"file://{kernel}", f"file://{initramfs}"
    return None


class ExitCodeLister(lister.Lister):
    """A Lister whose exit code is 1 when ``self.failed`` was set by take_action."""

    failed = False

    def run(self, parsed_args: argparse.Namespace) -> int:
        code = super().run(parsed_args)
        return code or (1 if self.failed else 0)
