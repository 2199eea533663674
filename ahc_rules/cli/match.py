"""``ahc-match``: give each node the first role whose specs it matches.

Offline, on saved facts::

    ahc-match --rules DIR --facts FILE_OR_DIR [--json] [--explain NODE] [--emit DIR]

Against Ironic (facts from ``extra.hardware``; writes ``profile:<role>``, the role's
resource class while the node is not deployed, and its trait)::

    ahc-match --rules DIR --ironic-url URL | --os-cloud NAME [--dry-run] [--rematch]
              [--resource-class baremetal.{role}] [--trait CUSTOM_PROFILE_{ROLE}|""]

Per role, ``scheduling.yaml`` in the rules directory may set both (see
:mod:`ahc_rules.scheduling`); ``--emit`` writes flavors that ask for them.

Exit status: 0 when every node got a role, 1 when some did not, 2 on an error.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from ahc_rules import emit, scheduling
from ahc_rules.assign import MatchResult, assign, nodes_by_role
from ahc_rules.cmdb import cmdb_path, rules_lock, save_cmdb
from ahc_rules.exception import AhcError
from ahc_rules.explain import explain, explain_dict
from ahc_rules.facts import Node, load_nodes
from ahc_rules.rules_dir import RuleSet, load_rules

SHOWN_VARIABLES = ("hostname", "ip")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ahc-match", description=__doc__.splitlines()[0])
    parser.add_argument("--rules", required=True, help="directory with state and *.specs")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--facts", help="a facts file or a directory of them (offline mode)")
    source.add_argument("--ironic-url", help="Ironic endpoint, no authentication")
    source.add_argument("--os-cloud", help="cloud name in clouds.yaml (Ironic mode)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--explain", metavar="NODE", help="say why NODE got its role")
    parser.add_argument("--emit", metavar="DIR", help="write flavors and a Heat environment")
    parser.add_argument("--dry-run", action="store_true",
                        help="write nothing (no cmdb, no Ironic update)")
    parser.add_argument("--rematch", action="store_true",
                        help="Ironic mode: also match nodes that already hold a profile")
    parser.add_argument("--resource-class",
                        help="resource class template for every role, replacing the "
                             "defaults of scheduling.yaml (built-in: baremetal.{role})")
    parser.add_argument("--trait",
                        help="trait template likewise (built-in: CUSTOM_PROFILE_{ROLE}); "
                             "'' for none")
    parser.add_argument("--lock-timeout", type=float, default=60.0,
                        help="seconds to wait for the rules directory lock")
    parser.add_argument("--debug", action="store_true", help="log every decision")
    return parser


def run_offline(args: argparse.Namespace, rules: RuleSet) -> tuple[MatchResult, list[Node]]:
    """Match saved facts; persist cmdb changes under the lock unless ``--dry-run``."""
    nodes = load_nodes(args.facts)
    if args.dry_run:
        return assign(nodes, rules), nodes
    with rules_lock(rules.path, args.lock_timeout):
        rules = load_rules(rules.path)  # re-read the cmdbs under the lock
        result = assign(nodes, rules)
        for role, entries in result.changed_cmdbs.items():
            save_cmdb(cmdb_path(rules.path, role), entries)
    return result, nodes


def run_ironic(args: argparse.Namespace, rules: RuleSet) -> tuple[MatchResult, list[Node]]:
    """Match the nodes registered in Ironic; print what was left undone, by node."""
    from ahc_rules.ironic import IronicMatcher
    from baremetal_common.cloud import connect

    conn = connect(args.ironic_url, args.os_cloud)
    matcher = IronicMatcher(conn.baremetal, rules, args.resource_class, args.trait,
                            args.lock_timeout)
    outcome = matcher.run(dry_run=args.dry_run, rematch=args.rematch)
    for note in matcher.notes:
        print(f"ahc-match: {note}", file=sys.stderr)
    return outcome


def table(result: MatchResult) -> str:
    """The assignment table and the counts, as text."""
    width = max([len(a.node) for a in result.assignments] + [4])
    rows = [f"{'node':<{width}}  {'role':<16}  details"]
    for a in result.assignments:
        details = " ".join(f"{k}={a.variables[k]}" for k in SHOWN_VARIABLES
                           if k in a.variables)
        rows.append(f"{a.node:<{width}}  {a.role or '-':<16}  {details}".rstrip())
    counts = ", ".join(f"{role}: {n}" for role, n in result.counts.items())
    unmatched = sum(1 for a in result.assignments if a.role is None)
    rows.append(f"\ncounts: {counts or 'none'}; unmatched: {unmatched}")
    return "\n".join(rows)


def as_json(result: MatchResult) -> dict[str, Any]:
    """The result as a JSON-ready dict."""
    return {"assignments": [{"node": a.node, "role": a.role, "variables": a.variables}
                            for a in result.assignments],
            "counts": result.counts,
            "unmatched": [a.node for a in result.assignments if a.role is None]}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        rules = load_rules(args.rules)
        runner = run_offline if args.facts else run_ironic
        result, nodes = runner(args, rules)
        output: dict[str, Any] = as_json(result)
        if args.explain:
            assignment = result.by_node().get(args.explain)
            node = next((n for n in nodes if n.name == args.explain), None)
            if assignment is None or node is None:
                raise AhcError(f"--explain: no node named {args.explain!r} was matched; "
                               f"known: {', '.join(n.name for n in nodes[:10])}")
            reasons = explain(node.facts, rules, assignment.remaining)
            output["explain"] = {"node": args.explain, "role": assignment.role,
                                 "reasons": explain_dict(reasons)}
        if args.emit:
            plan = scheduling.load(rules.path, [role.name for role in rules.roles],
                                   {"resource_class": args.resource_class,
                                    "trait": args.trait})
            paths = emit.write_all(args.emit, nodes_by_role(result, nodes), plan)
            output["emitted"] = [str(p) for p in paths]
    except AhcError as exc:
        print(f"ahc-match: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(output, indent=2, sort_keys=False))
    else:
        print(table(result))
        if "explain" in output:
            print(f"\n{args.explain}: {output['explain']['role'] or 'no role'}")
            for reason in output["explain"]["reasons"]:
                print(f"  {reason['role']}: {reason['detail']}")
        for path in output.get("emitted", []):
            print(f"wrote {path}")
    return 0 if not output["unmatched"] else 1


if __name__ == "__main__":
    sys.exit(main())
