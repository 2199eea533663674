"""``ironic-tripleo profiles``: which node holds which profile, and why the others hold none.

Lists every Ironic node with its ``profile`` capability (set by ``ahc-match`` or the
``ahc`` inspection hooks), grouped by profile, then the nodes without one. With
``--rules DIR`` the profiles come in the rules' priority order and each unmatched
node gets the reason per role: the first spec line it fails (file:line, the spec,
and the values the node has), a role whose count is used up, or "matches" when
``ahc-match`` simply has not run since the node was introspected.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from ahc_rules.assign import remaining_places
from ahc_rules.exception import AhcError
from ahc_rules.explain import explain
from ahc_rules.ironic import node_from_ironic, node_profile
from ahc_rules.rules_dir import RuleSet, load_rules
from ironic_tripleo.cloud import connect

COLUMNS = ("node", "profile", "cpus", "memory_mb", "local_gb", "provision_state")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``profiles``."""
    parser = subparsers.add_parser(
        "profiles", help="nodes by profile, and why unmatched nodes have none",
        description=__doc__.split("\n\n", 1)[1])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--ironic-url", help="Ironic endpoint, used without authentication")
    where.add_argument("--os-cloud", help="cloud name in clouds.yaml (default: OS_* env)")
    parser.add_argument("--rules", metavar="DIR",
                        help="ahc rules directory: order by role, explain unmatched nodes")
    parser.set_defaults(func=cmd_profiles)


def cmd_profiles(args: argparse.Namespace) -> int:
    """List the profiles; 2 when the rules do not load."""
    try:
        rules = load_rules(args.rules) if args.rules else None
    except AhcError as exc:
        print(f"ironic-tripleo profiles: {exc}", file=sys.stderr)
        return 2
    nodes = list(connect(args.ironic_url, args.os_cloud).baremetal.nodes(details=True))
    report(nodes, rules, sys.stdout)
    return 0


def label(node: Any) -> str:
    """The node's name, or its UUID when it has none."""
    return node.name or node.id


def row(node: Any, profile: str | None) -> tuple[str, ...]:
    props = node.properties or {}
    return (label(node), profile or "-", *(str(props.get(k, "-")) for k in
                                           ("cpus", "memory_mb", "local_gb")),
            node.provision_state or "-")


def format_table(rows: Iterable[tuple[str, ...]]) -> str:
    rows = [COLUMNS, *rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in rows)


def why_unmatched(node: Any, rules: RuleSet, remaining: dict[str, int]) -> list[str]:
    """One line per role saying why ``node`` holds none (or that it would match)."""
    try:
        facts = node_from_ironic(node)
    except AhcError as exc:
        return [f"facts unusable: {exc}"]
    if facts is None:
        return ["no hardware facts (extra.hardware): introspect the node first"]
    lines = []
    for reason in explain(facts.facts, rules, remaining):
        if reason.status == "matched":
            lines.append(f"{reason.role}: matches (run ahc-match to assign it)")
        else:
            lines.append(str(reason))
    return lines


def report(nodes: list[Any], rules: RuleSet | None, out: TextIO) -> None:
    """Print the profile table, the counts, and the unmatched nodes (with reasons)."""
    by_profile: dict[str, list[Any]] = {}
    unmatched = []
    for node in sorted(nodes, key=label):
        profile = node_profile(node)
        if profile:
            by_profile.setdefault(profile, []).append(node)
        else:
            unmatched.append(node)
    order = [r.name for r in rules.roles] if rules else []
    order += sorted(p for p in by_profile if p not in order)
    rows = [row(n, p) for p in order for n in by_profile.get(p, [])]
    print(format_table(rows + [row(n, None) for n in unmatched]), file=out)
    held = {p: len(by_profile.get(p, [])) for p in order}
    wanted = rules.counts if rules else {}
    counts = ", ".join(f"{p}: {n}" + (f"/{wanted[p]}" if wanted.get(p) is not None else "")
                       for p, n in held.items())
    print(f"\nprofiles: {counts or 'none'}; unmatched: {len(unmatched)}", file=out)
    if not unmatched:
        return
    print("\nunmatched nodes:", file=out)
    remaining = remaining_places(rules, held) if rules else {}
    for node in unmatched:
        print(f"  {label(node)}", file=out)
        if rules is not None:
            for line in why_unmatched(node, rules, remaining):
                print(f"    {line}", file=out)
