"""``ironic-tripleo introspect --all|NODE...``: inspect nodes through Ironic.

Nodes in ``enroll`` are moved to ``manageable`` first (Ironic checks their power
credentials); then Ironic's inspect interface (``discoverd`` for ``tripleo-ipmi``)
is started on each with the provision target ``inspect``. With ``--wait`` the
command follows the nodes until they are ``manageable`` again (done) or ``inspect
failed``, showing a progress bar on a terminal and plain progress lines otherwise,
then prints one table row per node. The exit code is 1 when any node failed.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import time
from collections.abc import Iterable
from typing import Any, TextIO

import openstack.exceptions

from ironic_tripleo.cloud import connect

LOG = logging.getLogger(__name__)

#: States from which ``inspect`` may start (``enroll`` goes through ``manage``).
INSPECTABLE = frozenset({"manageable", "inspect failed"})
DONE, FAILED = "manageable", "inspect failed"
MANAGE_FAILED = "enroll"  # a failed 'manage' leaves the node in enroll, last_error set
POLL_INTERVAL = 1.0


@dataclasses.dataclass
class Tracked:
    """One node being introspected by this command."""

    uuid: str
    name: str
    state: str = "-"
    error: str | None = None
    properties: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED) or self.error is not None

    @property
    def failed(self) -> bool:
        return self.state != DONE and self.finished


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``introspect``."""
    parser = subparsers.add_parser(
        "introspect", help="inspect nodes (discovery ramdisk through discoverd)",
        description=__doc__.split("\n\n", 1)[1])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true",
                       help="every node in enroll, manageable or inspect failed "
                            "(nodes in maintenance are skipped)")
    which.add_argument("nodes", nargs="*", default=[], metavar="NODE",
                       help="node names or UUIDs")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--ironic-url", help="Ironic endpoint, used without authentication")
    where.add_argument("--os-cloud", help="cloud name in clouds.yaml (default: OS_* env)")
    parser.add_argument("--wait", action="store_true",
                        help="wait for the end of every inspection and print the results")
    parser.add_argument("--timeout", type=float, default=3600,
                        help="seconds to wait for manage and, with --wait, for the "
                             "inspections (default 3600)")
    parser.set_defaults(func=cmd_introspect)


def cmd_introspect(args: argparse.Namespace) -> int:
    try:
        bm = connect(args.ironic_url, cloud=getattr(args, "os_cloud", None)).baremetal
        nodes = select_nodes(bm, args.all, args.nodes)
        if not nodes:
            print("no node to introspect")
            return 0
        deadline = time.monotonic() + args.timeout
        manage(bm, nodes, deadline)
        start(bm, nodes)
        if args.wait:
            follow(bm, nodes, deadline, sys.stdout)
        else:
            refresh(bm, nodes)
    except openstack.exceptions.SDKException as exc:
        LOG.error("introspect failed: %s", exc)
        return 1
    print_table(nodes, sys.stdout)
    return 1 if any(n.failed for n in nodes) else 0


def select_nodes(bm: Any, everything: bool, idents: Iterable[str]) -> list[Tracked]:
    """Return the nodes to inspect, by name/UUID or all inspectable ones."""
    if everything:
        found = [n for n in bm.nodes(details=True)
                 if n.provision_state in INSPECTABLE | {"enroll"} and not n.is_maintenance]
    else:
        found = [bm.get_node(ident) for ident in idents]
    return [Tracked(uuid=n.id, name=n.name or n.id, state=n.provision_state)
            for n in found]


def manage(bm: Any, nodes: list[Tracked], deadline: float) -> None:
    """Move nodes in ``enroll`` to ``manageable``; a refusal is that node's error."""
    enrolled = [n for n in nodes if n.state == "enroll"]
    for node in enrolled:
        _provision(bm, node, "manage")
    pending = [n for n in enrolled if n.error is None]
    while pending and time.monotonic() < deadline:
        time.sleep(POLL_INTERVAL / 2)
        for node in list(pending):
            real = bm.get_node(node.uuid)
            if real.provision_state == "verifying":
                continue
            node.state = real.provision_state
            pending.remove(node)
            if node.state != "manageable":
                node.error = real.last_error or f"'manage' ended in {node.state}"
    for node in pending:
        node.error = "timed out waiting for 'manage'"


def start(bm: Any, nodes: list[Tracked]) -> None:
    """Ask Ironic to inspect every node that can be; others get an error."""
    for node in nodes:
        if node.error is not None:
            continue
        if node.state not in INSPECTABLE:
            node.error = (f"provision state '{node.state}' does not allow inspection "
                          f"(needs enroll, manageable or inspect failed)")
            continue
        _provision(bm, node, "inspect")
        if node.error is None:
            node.state = "inspecting"


def _provision(bm: Any, node: Tracked, target: str) -> None:
    try:
        bm.set_node_provision_state(node.uuid, target)
    except openstack.exceptions.SDKException as exc:
        node.error = f"'{target}' refused: {exc}"


def refresh(bm: Any, nodes: list[Tracked]) -> None:
    """Read state, last error and properties of ``nodes`` from Ironic (one list call)."""
    wanted = {n.uuid: n for n in nodes}
    for real in bm.nodes(details=True):
        node = wanted.get(real.id)
        if node is None or node.error is not None and node.state not in (DONE, FAILED):
            continue
        node.state = real.provision_state
        node.properties = dict(real.properties or {})
        if node.state == FAILED:
            node.error = real.last_error or "inspection failed"


def follow(bm: Any, nodes: list[Tracked], deadline: float, out: TextIO) -> None:
    """Poll Ironic until every node finished or ``deadline``; report progress."""
    tty = out.isatty()
    last = ""
    while True:
        refresh(bm, nodes)
        line = progress_line(nodes)
        if tty:
            out.write(f"\r{progress_bar(nodes)} {line}\033[K")
            out.flush()
        elif line != last:
            print(line, file=out, flush=True)
        last = line
        if all(n.finished for n in nodes):
            break
        if time.monotonic() > deadline:
            for node in nodes:
                if not node.finished:
                    node.error = f"timed out in '{node.state}'"
            break
        time.sleep(POLL_INTERVAL)
    if tty:
        out.write("\n")


def progress_line(nodes: list[Tracked]) -> str:
    """``3/10 finished, 1 failed``."""
    done = sum(n.finished for n in nodes)
    return f"{done}/{len(nodes)} finished, {sum(n.failed for n in nodes)} failed"


def progress_bar(nodes: list[Tracked], width: int = 30) -> str:
    """``[#########.....]`` for the share of finished nodes."""
    filled = width * sum(n.finished for n in nodes) // max(len(nodes), 1)
    return "[" + "#" * filled + "." * (width - filled) + "]"


def print_table(nodes: list[Tracked], out: TextIO) -> None:
    """One row per node: name, state, cpus, memory, disk, error."""
    rows = [("node", "state", "cpus", "memory_mb", "local_gb", "error")]
    for n in nodes:
        p = n.properties
        rows.append((n.name, n.state, str(p.get("cpus", "-")), str(p.get("memory_mb", "-")),
                     str(p.get("local_gb", "-")), (n.error or "").replace("\n", " ")))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip(),
              file=out)
