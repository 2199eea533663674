"""``ironic-tripleo undercloud up|status|down``: Keystone, Placement, Glance, Neutron,
Nova and Heat over the lab in ``--workdir`` (RabbitMQ for RPC)."""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from ironic_tripleo.exception import TripleOError
from ironic_tripleo.lab.undercloud import databases
from ironic_tripleo.lab.undercloud.plan import API_SERVICES
from ironic_tripleo.lab.undercloud.undercloud import CLOUD, Undercloud

LOG = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``undercloud`` and its sub-commands."""
    parser = subparsers.add_parser("undercloud", help="real Keystone, Nova, Heat... over "
                                                      "the lab")
    sub = parser.add_subparsers(dest="undercloud_command", required=True)

    up = sub.add_parser("up", help="start every service; write clouds.yaml")
    _workdir(up)
    up.add_argument("--fake-compute", action="append", default=[], metavar="HOST",
                    help="also run a nova-compute with the fake driver on HOST (repeat)")
    up.add_argument("--no-ironic", action="store_true",
                    help="no nova-compute for the lab's Ironic even if there is a lab")
    up.add_argument("--database", choices=databases.CHOICES, default="sqlite",
                    help="SQLite files (default) or a PostgreSQL server of the "
                         "undercloud's own, stopped on down")
    for name in API_SERVICES:
        up.add_argument(f"--{name}-port", type=int, default=None,
                        help=f"{name} API port (default: a free one)")
    up.set_defaults(func=cmd_up)

    status = sub.add_parser("status", help="each process's state and RSS")
    _workdir(status)
    status.set_defaults(func=cmd_status)

    down = sub.add_parser("down", help="stop every process by pid (idempotent)")
    _workdir(down)
    down.set_defaults(func=cmd_down)


def _workdir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workdir", type=Path, default=Path("work/lab"),
                        help="the lab's directory; the undercloud lives in "
                             "WORKDIR/undercloud (default work/lab)")


def cmd_up(args: argparse.Namespace) -> int:
    undercloud = Undercloud(args.workdir)
    ports = {name: getattr(args, f"{name}_port") for name in API_SERVICES
             if getattr(args, f"{name}_port")}
    started = time.monotonic()
    try:
        plan = undercloud.up(fake_computes=args.fake_compute,
                             ironic=False if args.no_ironic else None, ports=ports,
                             database=args.database)
    except TripleOError as exc:
        LOG.error("%s", exc)
        return 1
    print(f"undercloud up in {time.monotonic() - started:.1f}s")
    for name, (kind, url) in plan.endpoints().items():
        print(f"  {kind:<24} {name:<10} {url}")
    print(f"clouds.yaml: {undercloud.clouds_yaml} (cloud '{CLOUD}')\n"
          f"  export OS_CLIENT_CONFIG_FILE={undercloud.clouds_yaml} OS_CLOUD={CLOUD}")
    return 0


def format_status(rows: list[dict]) -> str:
    """The status table: process, pid, state, RSS; the total RSS last."""
    lines = [f"{'process':<28} {'pid':>8}  {'state':<8} {'RSS MiB':>8}"]
    for row in rows:
        lines.append(f"{row['name']:<28} {row['pid']:>8}  {row['state']:<8} "
                     f"{row['rss_mib']:>8.1f}")
    lines.append(f"{'total':<28} {'':>8}  {'':<8} {sum(r['rss_mib'] for r in rows):>8.1f}")
    return "\n".join(lines)


def cmd_status(args: argparse.Namespace) -> int:
    try:
        rows = Undercloud(args.workdir).status()
    except TripleOError as exc:
        LOG.error("%s", exc)
        return 1
    print(format_status(rows))
    return 0 if all(row["state"] == "running" for row in rows) else 3


def cmd_down(args: argparse.Namespace) -> int:
    undercloud = Undercloud(args.workdir)
    if undercloud.down():
        print(f"undercloud in {undercloud.root} is down")
    else:
        print(f"no undercloud in {undercloud.root}")
    return 0
