"""A lab whose subnet cannot lease an address to every node is refused up front.

Before, ``lab up --nodes 20 --subnet auto`` took a /27 whose DHCP range had 15
addresses: five nodes never got a lease and sat in ``inspect wait`` until the
inspection timeout.
"""

from __future__ import annotations

import json
import subprocess
import sys


def _lab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ironic_tripleo.cli.main", "lab", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def _bridges() -> set[str]:
    out = subprocess.run(["ip", "-j", "link", "show", "type", "bridge"], check=True,
                         capture_output=True, text=True).stdout
    return {link["ifname"] for link in json.loads(out or "[]")}


def test_too_many_nodes_for_the_subnet_is_refused_and_nothing_is_left(tmp_path):
    before = _bridges()
    result = _lab("up", "--nodes", "20", "--subnet", "203.0.113.0/27",
                  "--workdir", str(tmp_path))
    assert result.returncode != 0
    assert "serves 13 nodes" in result.stderr and "20 were asked for" in result.stderr
    assert _bridges() == before
    assert not list(tmp_path.glob("nodes/*/disk*"))
