"""Benchmark: ``undercloud up`` twice, with the databases made from scratch (the
benchmark's own empty cache for ``databases.synced``) and then copied from it,
each process's RSS once up, and ``down``; with ``--cold`` the venv is rebuilt first
and its build timed. Targets (issue #13): up < 90 s, all services < 3 GiB.

    sudo .venv/bin/python bench/undercloud.py [--cold] [--fake-computes N]

Prints the load average too: on a shared machine the figures move with it.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from ironic_tripleo.cli.undercloud import format_status
from ironic_tripleo.lab.undercloud import databases, venv
from ironic_tripleo.lab.undercloud.undercloud import Undercloud


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="rebuild .venv-undercloud first")
    parser.add_argument("--fake-computes", type=int, default=1)
    args = parser.parse_args()
    # the launcher's log says when the databases and catalog were ready: the profile
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.cold:
        shutil.rmtree(venv.VENV, ignore_errors=True)
        started = time.monotonic()
        venv.ensure()
        print(f"venv build: {time.monotonic() - started:.1f}s")
    # an empty cache of its own (the shared one may be in use by others)
    cache = tempfile.mkdtemp(prefix="bench-undercloud-db-cache-")
    os.environ[databases.CACHE_ENV] = cache
    try:
        for label in ("cold databases", "cached databases"):
            up_once(label, args.fake_computes)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def up_once(label: str, fake_computes: int) -> None:
    """One up, status and down in a fresh directory, with their figures."""
    print(f"--- {label}; load average before: {os.getloadavg()}")
    workdir = Path(tempfile.mkdtemp(prefix="bench-undercloud-"))
    undercloud = Undercloud(workdir)
    try:
        started = time.monotonic()
        undercloud.up(fake_computes=[f"fake-{i}" for i in range(fake_computes)])
        up = time.monotonic() - started
        rows = undercloud.status()
        print(f"undercloud up ({label}): {up:.1f}s (target < 90 s)")
        print(format_status(rows))
        total = sum(row["rss_mib"] for row in rows)
        print(f"RSS total {total / 1024:.2f} GiB (target < 3 GiB)")
    finally:
        started = time.monotonic()
        undercloud.down()
        print(f"down: {time.monotonic() - started:.1f}s")
        print(f"load average after: {os.getloadavg()}")
        shutil.rmtree(workdir, ignore_errors=True)

if __name__ == "__main__":
    main()
