"""Enrollment tests' helpers: the ``enroll`` sub-command in-process, and what Ironic holds."""

import argparse

from ironic_tripleo.cli import enroll as enroll_cli


def run_cli(*argv: str) -> int:
    """Run ``ironic-tripleo enroll *argv`` in this process; return its exit code."""
    parser = argparse.ArgumentParser()
    enroll_cli.register(parser.add_subparsers())
    args = parser.parse_args(["enroll", *argv])
    return args.func(args)


def count(baremetal) -> tuple[int, int]:
    """How many nodes and ports Ironic has."""
    return len(list(baremetal.nodes())), len(list(baremetal.ports()))
