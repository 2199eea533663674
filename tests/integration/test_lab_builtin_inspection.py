"""Ironic's built-in inspection (the ``agent`` inspect interface) in the lab, then ahc.

Two lab nodes are enrolled with ``inspect_interface: agent`` and inspected: Ironic's
``pxe`` interface boots our discovery ramdisk with ``ipa-inspection-callback-url``
pointing at Ironic's own ``/v1/continue_inspection``; Ironic's hooks (with
``extra-hardware``) keep the facts in the node's inventory (``plugin_data``), not in
``extra.hardware``, and discoverd is not involved. ``ahc-match`` against Ironic then
gives the big node ``control`` and the small one ``compute``; ``ironic-tripleo
profiles`` and ``ahc-report --ironic-url`` read the same facts.
"""

from __future__ import annotations

import json

import pytest
import requests

from ahc_rules.cli import match as ahc_match
from ahc_rules.cli import report as ahc_report
from baremetal_common.cloud import connect
from ironic_tripleo.cli.main import main as tripleo_main
from ironic_tripleo.enroll.enroll import enroll
from ironic_tripleo.enroll.inventory import validate
from ironic_tripleo.lab.lab import running_lab
from ironic_tripleo.lab.node import NodeSpec
from tests.harness.lab_inspection import inspect_all

SPECS = [NodeSpec(name="big", cpus=4, memory_mb=16384, disk_gb=40),
         NodeSpec(name="small", cpus=2, memory_mb=2048, disk_gb=20)]
HOOKS = ("ramdisk-error,validate-interfaces,ports,architecture,cpus,memory,root-device,"
         "extra-hardware")
GiB = 1024 ** 3


@pytest.fixture(scope="module")
def inspected(tmp_path_factory):
    """The lab after Ironic's own inspection of both nodes."""
    overrides = {"inspect_interfaces": ("discoverd", "agent", "no-inspect"),
                 "extra": {"inspector": {"hooks": HOOKS}}}
    with running_lab(tmp_path_factory.mktemp("lab"), SPECS, subnet="auto",
                     ironic_overrides=overrides) as lab:
        entries = json.loads(open(lab["instackenv"]).read())["nodes"]
        for entry in entries:  # sizes must come from inspection, not from hints
            for key in ("cpu", "memory", "disk"):
                entry.pop(key, None)
            entry["inspect_interface"] = "agent"
        bm = connect(lab["ironic_url"]).baremetal
        enroll(bm, validate({"nodes": entries}), manage=True, timeout=60)
        nodes = inspect_all(lab, bm)
        yield lab, bm, {n.name: n for n in nodes}


@pytest.fixture
def rules(tmp_path):
    path = tmp_path / "rules"
    path.mkdir()
    (path / "state").write_text("[('control', '1'), ('compute', '*')]\n")
    (path / "control.specs").write_text(f"[('memory', 'total', 'size', 'ge({8 * GiB})')]\n")
    (path / "compute.specs").write_text("[('cpu', 'logical', 'number', 'ge(1)')]\n")
    return path


def test_facts_are_in_the_inventory_not_in_extra(inspected):
    lab, bm, nodes = inspected
    for spec in SPECS:
        node = nodes[spec.name]
        assert node.provision_state == "manageable", node.last_error
        assert node.inspect_interface == "agent"
        assert "hardware" not in (node.extra or {})
        assert node.properties["memory_mb"] == spec.memory_mb
        stored = bm.get_node_inventory(node.id)
        assert stored["inventory"]["memory"]["physical_mb"] == spec.memory_mb
        extra = stored["plugin_data"]["extra"]  # Ironic's extra-hardware hook
        assert extra["memory"]["total"]["size"] == spec.memory_mb * 1024 ** 2
        assert "data" not in stored["plugin_data"]
    console = open(f"{lab['nodes'][0]['node_dir']}/console.log").read()
    assert f"ipa-inspection-callback-url={lab['ironic_url']}/v1/continue_inspection" in console
    listed = requests.get(f"{lab['discoverd_url']}/v1/introspection", timeout=10).json()
    assert listed["introspection"] == []  # discoverd took no part


def test_profiles_then_ahc_match_then_report(inspected, rules, capsys):
    lab, bm, nodes = inspected
    url = lab["ironic_url"]
    assert tripleo_main(["profiles", "--ironic-url", url, "--rules", str(rules)]) == 0
    out = capsys.readouterr().out
    assert "control: matches (run ahc-match to assign it)" in out
    assert "introspect the node first" not in out

    assert ahc_match.main(["--rules", str(rules), "--ironic-url", url]) == 0
    capsys.readouterr()
    profiles = {name: bm.get_node(node.id).properties["capabilities"]
                for name, node in nodes.items()}
    assert "profile:control" in profiles["big"]
    assert "profile:compute" in profiles["small"]

    assert ahc_report.main(["--ironic-url", url, "--json", "--all"]) in (0, 1)
    report = json.loads(capsys.readouterr().out)
    reported = sorted(name for group in report["groups"] for name in group["nodes"])
    assert reported == ["big", "small"]
