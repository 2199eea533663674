"""Benchmark: a 4-node overcloud on namespace nodes, from ``openstack stack create``
to CREATE_COMPLETE, and the RSS of every undercloud service while it stands.
Target (issue #13): < 3 min.

    sudo .venv/bin/python bench/overcloud.py

The whole ``demo --undercloud`` story runs (undercloud up, lab up, enroll,
introspect, ahc-match, flavors, image, stack create; each step timed), then both
are taken down. Prints the load average too: on a shared machine the figures move
with it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

# bench/ramdisk.py would shadow the ramdisk package: keep bench/ off the path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from ironic_tripleo.cli import demo, demo_undercloud  # noqa: E402
from ironic_tripleo.cli.undercloud import format_status  # noqa: E402
from ironic_tripleo.lab.lab import Lab  # noqa: E402
from ironic_tripleo.lab.undercloud.undercloud import Undercloud  # noqa: E402


def main() -> None:
    print(f"load average before: {os.getloadavg()}")
    workdir = Path(tempfile.mkdtemp(prefix="bench-overcloud-"))
    lab, undercloud = Lab(workdir), Undercloud(workdir)
    try:
        took = demo_undercloud.run(workdir, lab, undercloud, "auto")
        rows = undercloud.status()
        print(format_status(rows))
        total = sum(row["rss_mib"] for row in rows)
        print(f"stack create -> CREATE_COMPLETE ({len(demo.DEMO_NODES)} nodes): "
              f"{took:.1f} s (target < 180 s); undercloud RSS {total / 1024:.2f} GiB "
              f"for {len(rows)} processes")
        demo.print_timings()
        print(f"load average after: {os.getloadavg()}")
    finally:
        undercloud.down()
        lab.down()


if __name__ == "__main__":
    main()
