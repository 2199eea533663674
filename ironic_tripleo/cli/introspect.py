"""``ironic-tripleo introspect --all-manageable|--all|NODE...``: inspect nodes through Ironic.

Nodes in ``enroll`` (named, or with ``--all``) are moved to ``manageable`` first
(Ironic checks their power credentials); then Ironic's inspect interface
(``discoverd`` for ``tripleo-ipmi``) is started, at most ``--concurrency`` nodes at
once; a failed or timed-out inspection is retried ``--max-retries`` times. With
``--wait`` (implied by ``--provide``) the command follows the nodes until each is
``manageable`` again (done) or failed, showing a progress bar on a terminal and
plain progress lines otherwise, then prints one table row per node; ``--provide``
then makes the inspected nodes ``available``. The exit code is 1 when any failed.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Iterable
from typing import Any, TextIO

import openstack.exceptions

from baremetal_common.cloud import connect
from ironic_tripleo.nodes import introspection, provide
from ironic_tripleo.nodes.introspection import Options, Tracked

LOG = logging.getLogger(__name__)
POLL_INTERVAL = 1.0


def add_introspection_options(parser: argparse.ArgumentParser, max_retries: int = 0) -> None:
    """The options shared with ``openstack overcloud node introspect`` (which retries
    once by default, as TripleO does; this CLI does not unless asked)."""
    defaults = Options(max_retries=max_retries)
    parser.add_argument("--provide", action="store_true",
                        help="make the nodes available once introspected")
    parser.add_argument("--concurrency", type=int, default=defaults.concurrency,
                        help="maximum number of nodes introspected at once "
                             "(default %(default)s)")
    parser.add_argument("--node-timeout", type=int, default=int(defaults.node_timeout),
                        help="seconds one introspection of a node may take before it is "
                             "aborted (default %(default)s)")
    parser.add_argument("--max-retries", type=int, default=defaults.max_retries,
                        help="times a failed or timed-out introspection is retried "
                             "(default %(default)s)")
    parser.add_argument("--retry-timeout", type=int, default=int(defaults.retry_timeout),
                        help="seconds to wait for Ironic to release a node before a "
                             "retry (default %(default)s)")


def options_from(args: argparse.Namespace) -> Options:
    for name in ("concurrency", "node_timeout", "retry_timeout"):
        if getattr(args, name) < 1:
            raise ValueError(f"--{name.replace('_', '-')} must be at least 1")
    if args.max_retries < 0:
        raise ValueError("--max-retries must be 0 or more")
    return Options(concurrency=args.concurrency, node_timeout=args.node_timeout,
                   max_retries=args.max_retries, retry_timeout=args.retry_timeout,
                   poll_interval=POLL_INTERVAL)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``introspect``."""
    parser = subparsers.add_parser(
        "introspect", help="inspect nodes (discovery ramdisk through discoverd)",
        description=__doc__.split("\n\n", 1)[1])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--all-manageable", action="store_true",
                       help="every node in manageable (not in maintenance)")
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
                        help="seconds for the whole run (default 3600)")
    add_introspection_options(parser)
    parser.set_defaults(func=cmd_introspect)


def cmd_introspect(args: argparse.Namespace) -> int:
    try:
        options = options_from(args)
    except ValueError as exc:
        LOG.error("%s", exc)
        return 2
    try:
        bm = connect(args.ironic_url, cloud=getattr(args, "os_cloud", None)).baremetal
        nodes = introspection.select_nodes(bm, args.nodes, everything=args.all,
                                           all_manageable=args.all_manageable)
        if not nodes:
            print("no node to introspect")
            return 0
        deadline = time.monotonic() + args.timeout
        if args.wait or args.provide:
            follow(bm, nodes, deadline, sys.stdout, options)
        else:
            introspection.run(bm, nodes, options, deadline=deadline, until_started=True)
        provided = provide_done(bm, nodes) if args.provide else []
    except openstack.exceptions.SDKException as exc:
        LOG.error("introspect failed: %s", exc)
        return 1
    print_table(nodes, sys.stdout)
    for result in provided:
        print(f"{result.name}: {result.state}" + (f" ({result.error})" if result.error else ""))
    return 1 if any(n.failed for n in nodes) or any(r.error for r in provided) else 0


def provide_done(bm: Any, nodes: list[Tracked]) -> list[provide.Provided]:
    """Provide the nodes whose introspection succeeded."""
    done = [bm.get_node(n.uuid) for n in nodes if not n.failed and n.finished]
    return provide.provide(bm, done) if done else []


def select_nodes(bm: Any, everything: bool, idents: Iterable[str]) -> list[Tracked]:
    """The nodes to inspect, by name/UUID or (``everything``) all inspectable ones."""
    return introspection.select_nodes(bm, idents, everything=everything)


def manage(bm: Any, nodes: list[Tracked], deadline: float) -> None:
    """Send ``manage`` to the nodes in ``enroll`` (``follow`` waits for it)."""
    for node in nodes:
        if node.state == "enroll" and node.phase == "queued":
            introspection.begin(bm, node)


def start(bm: Any, nodes: list[Tracked]) -> None:
    """Start every node not started yet, without a concurrency limit."""
    for node in nodes:
        if node.phase == "queued" and not node.finished:
            introspection.begin(bm, node)


def follow(bm: Any, nodes: list[Tracked], deadline: float, out: TextIO,
           options: Options | None = None) -> None:
    """Run the introspection of ``nodes`` to the end or ``deadline``; report progress."""
    tty = out.isatty()
    last = [""]

    def report(tracked: list[Tracked]) -> None:
        line = progress_line(tracked)
        if tty:
            out.write(f"\r{progress_bar(tracked)} {line}\033[K")
            out.flush()
        elif line != last[0]:
            print(line, file=out, flush=True)
        last[0] = line

    options = options or Options(poll_interval=POLL_INTERVAL, max_retries=0)
    introspection.run(bm, nodes, options, report, deadline)
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
