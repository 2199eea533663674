"""``ironic-tripleo bmc``: serve the virtual BMCs of a config file, or check one.

``ironic-tripleo bmc serve --config FILE [--pid-file F]`` runs in the foreground
until SIGTERM or SIGINT; ``ironic-tripleo bmc check --config FILE`` validates.
Also runnable alone: ``python -m ironic_tripleo.cli.bmc serve --config FILE``.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path

from ironic_tripleo.vbmc.config import build_server, load_config
from ironic_tripleo.vbmc.exception import VbmcError

LOG = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``bmc`` sub-command and its own sub-commands."""
    bmc = subparsers.add_parser("bmc", help="virtual BMCs (IPMI over LAN) for many nodes")
    actions = bmc.add_subparsers(dest="bmc_command", required=True)
    serve = actions.add_parser("serve", help="serve every node of a config file")
    serve.add_argument("--config", required=True, type=Path, help="YAML or JSON node list")
    serve.add_argument("--pid-file", type=Path, help="write this process's pid here")
    serve.set_defaults(func=serve_command)
    check = actions.add_parser("check", help="validate a config file and exit")
    check.add_argument("--config", required=True, type=Path, help="YAML or JSON node list")
    check.set_defaults(func=check_command)


def check_command(args: argparse.Namespace) -> int:
    """Validate ``args.config``; print what it defines. Returns the exit code."""
    try:
        config = load_config(args.config)
    except VbmcError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for node in config.nodes:
        print(f"{node.name}\t{node.address}:{node.port}\t{node.backend}")
    return 0


def serve_command(args: argparse.Namespace) -> int:
    """Serve until SIGTERM/SIGINT; 2 on a config, backend or bind error."""
    try:
        server = build_server(load_config(args.config))
    except VbmcError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    def stop(signum: int, _frame: object) -> None:
        LOG.info("signal %s: stopping", signal.Signals(signum).name)
        server.stop()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    pid_file: Path | None = args.pid_file
    try:
        if pid_file is not None:  # whole or absent: a reader never sees it empty
            partial = pid_file.with_name(f".{pid_file.name}.partial")
            partial.write_text(f"{os.getpid()}\n")
            partial.replace(pid_file)
        server.serve_forever()  # sockets are bound already: ready as soon as we get here
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if pid_file is not None:
            pid_file.unlink(missing_ok=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the ``bmc`` sub-commands without the other ``ironic-tripleo`` modules."""
    parser = argparse.ArgumentParser(prog="ironic-tripleo-bmc", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    register(parser.add_subparsers(dest="command", required=True))
    argv = list(sys.argv[1:] if argv is None else argv)
    options = 0
    while options < len(argv) and argv[options].startswith("-"):
        options += 1
    args = parser.parse_args([*argv[:options], "bmc", *argv[options:]])
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
