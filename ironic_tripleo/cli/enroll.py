"""``ironic-tripleo enroll FILE``: create or update Ironic nodes from an inventory."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import openstack.exceptions

from baremetal_common.cloud import connect
from ironic_tripleo.enroll.enroll import enroll
from ironic_tripleo.enroll.inventory import load_inventory
from ironic_tripleo.exception import TripleOError

LOG = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``enroll``."""
    parser = subparsers.add_parser(
        "enroll", help="enroll nodes from instackenv.json (JSON, YAML or CSV)",
        description="Validate the whole inventory, then create or update one Ironic node "
                    "(hardware type from pm_type) and its ports per entry. Re-running "
                    "updates nodes found by UUID, name, MAC or BMC; it never "
                    "duplicates them.")
    parser.add_argument("file", type=Path,
                        help="instackenv.json, the same as YAML, or TripleO's CSV (.csv)")
    parser.add_argument("--validate-only", action="store_true",
                        help="check the file and exit without contacting Ironic")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--ironic-url", help="Ironic endpoint, used without authentication")
    where.add_argument("--os-cloud", help="cloud name in clouds.yaml (default: OS_* env)")
    parser.add_argument("--manage", action="store_true",
                        help="move new nodes to 'manageable' (verifies BMC credentials)")
    parser.add_argument("--provide", action="store_true",
                        help="move nodes on to 'available' (implies --manage)")
    parser.add_argument("--timeout", type=float, default=300,
                        help="seconds to wait for --manage/--provide (default 300)")
    parser.set_defaults(func=cmd_enroll)


def cmd_enroll(args: argparse.Namespace) -> int:
    try:
        entries = load_inventory(args.file)
    except TripleOError as exc:
        LOG.error("%s", exc)
        return 1
    if args.validate_only:
        print(f"{args.file}: {len(entries)} nodes, valid")
        return 0
    try:
        conn = connect(args.ironic_url, cloud=args.os_cloud)
        results = enroll(conn.baremetal, entries, manage=args.manage,
                         provide=args.provide, timeout=args.timeout)
    except (TripleOError, openstack.exceptions.SDKException) as exc:
        LOG.error("enroll failed: %s", exc)
        return 1
    rows = [("index", "name", "uuid", "action", "ports added", "state")]
    rows += [(str(r.entry.index), r.entry.name or "-", r.node_id, r.action,
              ",".join(r.ports_created) or "-", r.provision_state or "-") for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return 0
