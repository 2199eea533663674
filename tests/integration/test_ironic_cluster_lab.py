"""``lab up --ironic production``: the lab's nodes driven by a production-shaped Ironic.

PostgreSQL, ``ironic-api`` with two workers and two ``ironic-conductor`` processes
over JSON-RPC; nodes enrolled from the lab's instackenv power on and off through the
API (their firmware processes appear in and vanish from their namespaces), and
``lab down`` stops every process of the cluster and removes its database.
"""

import subprocess
import sys
from pathlib import Path

import requests

from ironic_tripleo.lab import netns, process
from ironic_tripleo.lab.lab import Lab
from tests.harness.waiting import wait_for

HEADERS = {"X-OpenStack-Ironic-API-Version": "latest"}


def cli(*argv, timeout=240):
    return subprocess.run([sys.executable, "-m", "ironic_tripleo.cli.main", *argv],
                          capture_output=True, text=True, timeout=timeout)


def api(lab, method, path, **kwargs):
    r = requests.request(method, lab["ironic_url"] + path, headers=HEADERS, timeout=60,
                         **kwargs)
    assert r.status_code < 300, (r.status_code, r.text)
    return r.json() if r.content else None


def test_lab_with_production_shaped_ironic(tmp_path):
    workdir = tmp_path / "lab"
    try:
        out = cli("lab", "up", "--nodes", "2", "--workdir", str(workdir), "--subnet",
                  "auto", "--ironic", "production")
        assert out.returncode == 0, out.stdout + out.stderr
        lab = Lab(workdir).load()
        cluster = lab["ironic"]["cluster"]
        alive = {c["hostname"] for c in api(lab, "GET", "/v1/conductors")["conductors"]
                 if c["alive"]}
        assert alive == set(cluster["conductors"]) and len(alive) == 2
        assert cluster["database_url"].startswith("postgresql+psycopg://")

        out = cli("enroll", lab["instackenv"], "--ironic-url", lab["ironic_url"],
                  "--manage")
        assert out.returncode == 0, out.stdout + out.stderr
        for target in ("power on", "power off"):
            for node in lab["nodes"]:
                api(lab, "PUT", f"/v1/nodes/{node['name']}/states/power",
                    json={"target": target})
            for node in lab["nodes"]:
                wait_for(lambda n=node, t=target: api(lab, "GET", f"/v1/nodes/{n['name']}")
                         ["power_state"] == t, timeout=60,
                         what=f"{node['name']} {target}")
                running = bool(netns.namespace_pids(node["namespace"]))
                assert running == (target == "power on"), (node["name"], target)
    finally:
        Lab(workdir).down()
    for name, pid in cluster["pids"].items():
        assert not process.is_alive(pid), name
    assert not Path(cluster["postgres"]["root"]).exists()
