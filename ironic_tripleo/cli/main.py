"""``ironic-tripleo``: entry point dispatching to sub-command modules.

Each module in ``COMMANDS`` exposes ``register(subparsers)`` which adds its
sub-parser and sets ``func`` (taking the parsed args, returning an exit code).
"""

import argparse
import importlib
import logging
import sys

COMMANDS = (
    "ironic_tripleo.cli.bmc",
    "ironic_tripleo.cli.lab",
    "ironic_tripleo.cli.undercloud",
    "ironic_tripleo.cli.enroll",
    "ironic_tripleo.cli.demo_command",
    "ironic_tripleo.cli.introspect",
    "ironic_tripleo.cli.profiles",
    "ironic_tripleo.cli.ramdisk",
    "ironic_tripleo.cli.quintupleo",
)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="ironic-tripleo",
        description="TripleO bare metal with a real Ironic: the lab, virtual BMCs, "
                    "enrollment, introspection and profiles.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``ironic-tripleo``; returns the process exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
