"""``ironic-tripleo profiles``: which node holds which profile, and why the others hold none.

Lists every Ironic node with its ``profile`` capability (set by ``ahc-match`` or the
``ahc`` inspection hooks), grouped by profile, then the nodes without one. With
``--rules DIR`` the profiles come in the rules' priority order and each unmatched
node gets the reason per role: the first spec line it fails (file:line, the spec,
and the values the node has), a role whose count is used up, or "matches" when
``ahc-match`` simply has not run since the node was introspected. Facts are
``extra.hardware`` or Ironic's built-in inspection data. The rows are those of
:mod:`ironic_tripleo.nodes.profiles`, as ``openstack overcloud profiles list`` shows.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import TextIO

from ahc_rules.exception import AhcError
from ahc_rules.rules_dir import RuleSet, load_rules
from baremetal_common.cloud import connect
from ironic_tripleo.nodes.profiles import ProfileRow, list_profiles

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
    baremetal = connect(args.ironic_url, args.os_cloud).baremetal
    report(list_profiles(baremetal, rules, include_maintenance=True), rules, sys.stdout)
    return 0


def table_row(row: ProfileRow) -> tuple[str, ...]:
    return (row.label, row.current_profile or "-",
            *(str(row.properties.get(k, "-")) for k in ("cpus", "memory_mb", "local_gb")),
            row.provision_state or "-")


def format_table(rows: Iterable[tuple[str, ...]]) -> str:
    rows = [COLUMNS, *rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in rows)


def report(rows: list[ProfileRow], rules: RuleSet | None, out: TextIO) -> None:
    """Print the profile table, the counts, and the unmatched nodes (with reasons)."""
    by_profile: dict[str, list[ProfileRow]] = {}
    unmatched = []
    for row in rows:
        if row.current_profile:
            by_profile.setdefault(row.current_profile, []).append(row)
        else:
            unmatched.append(row)
    order = [r.name for r in rules.roles] if rules else []
    order += sorted(p for p in by_profile if p not in order)
    print(format_table([table_row(r) for p in order for r in by_profile.get(p, [])]
                       + [table_row(r) for r in unmatched]), file=out)
    held = {p: len(by_profile.get(p, [])) for p in order}
    wanted = rules.counts if rules else {}
    counts = ", ".join(f"{p}: {n}" + (f"/{wanted[p]}" if wanted.get(p) is not None else "")
                       for p, n in held.items())
    print(f"\nprofiles: {counts or 'none'}; unmatched: {len(unmatched)}", file=out)
    if not unmatched:
        return
    print("\nunmatched nodes:", file=out)
    for row in unmatched:
        print(f"  {row.label}", file=out)
        for line in row.reasons:
            print(f"    {line}", file=out)
