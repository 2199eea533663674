"""``ironic-tripleo-ramdisk``: the node-side agent's command line.

Sub-commands are modes: ``discover`` now; ``deploy`` is added next to it by its own
module (``ramdisk/deploy/``) through ``MODES``.

Exit codes: 0 done, 1 the callback failed, 2 usage (no callback URL).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence

from ramdisk import agent_log, callback, cmdline, inventory
from ramdisk.deploy import agent as deploy_agent
from ramdisk.exception import CallbackError, NoCallbackURL

LOG = logging.getLogger(__name__)


def _add_discover(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("discover", help="collect this machine's hardware and report it")
    p.add_argument("--callback-url",
                   help="where to POST the payload (default: ipa-inspection-callback-url "
                        "or discoverd_callback_url on the kernel command line)")
    p.add_argument("--cmdline", default=cmdline.PROC_CMDLINE, metavar="FILE",
                   help="kernel command line to read (default: %(default)s)")
    p.add_argument("--dry-run", action="store_true",
                   help="print the payload as JSON on stdout instead of posting it")
    p.add_argument("--benchmarks", metavar="LIST",
                   help="comma-separated subset of cpu,mem,disk (overrides "
                        "ipa-inspection-benchmarks)")
    p.add_argument("--all-disks", action="store_true",
                   help="also report ram, loop, zram and optical devices")
    p.add_argument("--retries", type=int, default=6, metavar="N",
                   help="attempts to post the payload (default: %(default)s)")
    p.add_argument("--retry-backoff", type=float, default=1.0, metavar="SECONDS",
                   help="first wait between attempts, doubled each time (default: %(default)s)")
    p.add_argument("--max-backoff", type=float, default=30.0, metavar="SECONDS",
                   help="longest wait between attempts (default: %(default)s)")
    p.add_argument("--http-timeout", type=float, default=60.0, metavar="SECONDS",
                   help="timeout of one HTTP request (default: %(default)s)")
    p.add_argument("--hardware-timeout", type=float, default=300.0, metavar="SECONDS",
                   help="time allowed for hardware-detect (default: %(default)s)")
    p.add_argument("--benchmark-duration", type=float, default=1.0, metavar="SECONDS",
                   help="duration of each benchmark (default: %(default)s)")
    p.set_defaults(func=discover)


def discover(args: argparse.Namespace, capture: agent_log.LogCapture) -> int:
    """Run the discovery mode; see the module docstring for exit codes."""
    try:
        with open(args.cmdline, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as exc:
        LOG.warning("cannot read the kernel command line %s: %s", args.cmdline, exc)
        text = ""
    params = cmdline.parse(text)
    if args.benchmarks is not None:
        params.benchmarks = cmdline.parse(
            f"{cmdline.BENCHMARKS_PARAM}={args.benchmarks}").benchmarks
    params.all_disks = params.all_disks or args.all_disks
    url = args.callback_url or params.callback_url
    if not url and not args.dry_run:
        LOG.error("%s", NoCallbackURL(source=args.cmdline))
        return 2
    LOG.info("discovery: callback %s, boot MAC %s, collectors %s, benchmarks %s",
             url, params.boot_mac, ",".join(params.collectors),
             ",".join(params.benchmarks) or "none")
    options = inventory.Options(hardware_timeout=args.hardware_timeout,
                                benchmark_duration=args.benchmark_duration)
    payload = inventory.build_payload(params, options, capture, text)
    if args.dry_run:
        json.dump(payload, sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
        return 0
    policy = callback.RetryPolicy(attempts=args.retries, backoff=args.retry_backoff,
                                  max_backoff=args.max_backoff, timeout=args.http_timeout)
    try:
        answer = callback.post(url, payload, policy)
    except CallbackError as exc:
        LOG.error("%s", exc)
        return 1
    LOG.info("callback answer: %s", answer)
    return 0


Mode = Callable[[argparse._SubParsersAction], None]
MODES: list[Mode] = [_add_discover, deploy_agent.add_parser]


def build_parser(modes: Sequence[Mode] = tuple(MODES)) -> argparse.ArgumentParser:
    """Return the argument parser with one sub-command per mode."""
    parser = argparse.ArgumentParser(prog="ironic-tripleo-ramdisk", description=__doc__.split(
        "\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="mode", required=True)
    for add in modes:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``ironic-tripleo-ramdisk``; logs go to stderr and to the payload."""
    args = build_parser().parse_args(argv)
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(logging.Formatter(agent_log.LOG_FORMAT))
    stderr.setLevel(logging.DEBUG if args.verbose else logging.INFO)
    root = logging.getLogger()
    root.addHandler(stderr)
    capture = agent_log.LogCapture().install(root)
    try:
        return args.func(args, capture)
    finally:
        capture.remove(root)
        root.removeHandler(stderr)


if __name__ == "__main__":
    sys.exit(main())
