"""``ahc-report``: groups of identical hardware and benchmark outliers.

    ahc-report --facts FILE_OR_DIR | --ironic-url URL | --os-cloud NAME
               [--json] [--plots DIR] [--tol-min 2] [--tol-max 15]

From Ironic, each node's facts are ``extra.hardware`` or, without it, its built-in
inspection data (``GET /v1/nodes/{id}/inventory``); nodes are named by their names.

Exit status: 0 when every figure is CONSISTENT, 1 otherwise, 2 on an error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from ahc_rules import report
from ahc_rules.exception import AhcError
from ahc_rules.facts import load_nodes


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ahc-report", description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--facts", help="a facts file or a directory of them")
    source.add_argument("--ironic-url", help="read the nodes' facts from this Ironic "
                                             "endpoint (no authentication)")
    source.add_argument("--os-cloud", help="read them from Ironic of this cloud "
                                           "(clouds.yaml)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--plots", metavar="DIR", help="write one PNG per benchmark and group")
    parser.add_argument("--tol-min", type=float, default=2.0,
                        help="deviance %% above which outliers are SUSPICIOUS (default 2)")
    parser.add_argument("--tol-max", type=float, default=15.0,
                        help="deviance %% above which a figure is UNSTABLE (default 15)")
    parser.add_argument("--all", action="store_true", help="also list CONSISTENT figures")
    return parser


def _ironic_nodes(args: argparse.Namespace) -> list:
    from ahc_rules.ironic import nodes_from_ironic
    from baremetal_common.cloud import connect

    return nodes_from_ironic(connect(args.ironic_url, args.os_cloud).baremetal)


def build_report(args: argparse.Namespace) -> dict[str, Any]:
    """Groups, verdicts and plot paths as a JSON-ready dict."""
    groups = report.group_nodes(load_nodes(args.facts) if args.facts else _ironic_nodes(args))
    result: dict[str, Any] = {"groups": []}
    for name, nodes in groups.items():
        verdicts = report.judge_group(nodes, args.tol_min, args.tol_max)
        entry = {"group": name, "nodes": [n.name for n in nodes], "figures": [
            {"metric": "/".join(v.metric), "status": v.status, "mean": round(v.mean, 3),
             "std": round(v.std, 3), "deviance": round(v.deviance, 3),
             "suspicious": list(v.suspicious)}
            for v in verdicts if args.all or v.status != report.CONSISTENT]}
        entry["consistent"] = sum(1 for v in verdicts if v.status == report.CONSISTENT)
        if args.plots and verdicts:
            entry["plots"] = [str(p) for p in report.plot_group(name, verdicts, args.plots)]
        result["groups"].append(entry)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result = build_report(args)
    except AhcError as exc:
        print(f"ahc-report: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for group in result["groups"]:
            print(f"group {group['group']}: {len(group['nodes'])} node(s): "
                  + ", ".join(group["nodes"][:8]) + (" ..." if len(group["nodes"]) > 8 else ""))
            print(f"  {group['consistent']} consistent figure(s)")
            for fig in group["figures"]:
                extra = f" suspicious: {', '.join(fig['suspicious'])}" if fig["suspicious"] else ""
                print(f"  {fig['status']:<10} {fig['metric']} mean={fig['mean']} "
                      f"deviance={fig['deviance']}%{extra}")
            for path in group.get("plots", []):
                print(f"  wrote {path}")
    bad = any(f["status"] != report.CONSISTENT for g in result["groups"] for f in g["figures"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
