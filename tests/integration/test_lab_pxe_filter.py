"""The lab with discoverd's dnsmasq PXE filter on (``lab up --pxe-filter``).

Two lab nodes are enrolled; one is introspected through Ironic while the other is
PXE-booted by hand at the same time. The filter lets the lab's real dnsmasq answer
the node under introspection (it ends ``manageable`` with its facts) and makes it
ignore the other one, whose MAC Ironic knows but which nobody introspects.
"""

import json
from pathlib import Path

import pytest
import requests

from baremetal_common.cloud import connect
from ironic_tripleo.enroll.enroll import enroll
from ironic_tripleo.enroll.inventory import validate
from ironic_tripleo.lab import bmc_process
from ironic_tripleo.lab.lab import running_lab
from ironic_tripleo.lab.node import NodeSpec
from tests.harness.waiting import wait_for

HEADERS = {"X-OpenStack-Ironic-API-Version": "latest"}
SPECS = [NodeSpec(name="inspected", cpus=2, memory_mb=2048, disk_gb=10),
         NodeSpec(name="idle", cpus=1, memory_mb=1024, disk_gb=5)]


@pytest.fixture(scope="module")
def filtered(tmp_path_factory):
    """The lab after introspecting ``inspected`` while ``idle`` tried to PXE-boot."""
    with running_lab(tmp_path_factory.mktemp("lab"), SPECS, subnet="auto",
                     pxe_filter=True) as lab:
        entries = json.loads(open(lab["instackenv"]).read())["nodes"]
        bm = connect(lab["ironic_url"]).baremetal
        enroll(bm, validate({"nodes": entries}), manage=True, timeout=60)
        inspected, idle = lab["nodes"]
        r = requests.put(f"{lab['ironic_url']}/v1/nodes/inspected/states/provision",
                         headers=HEADERS, json={"target": "inspect"}, timeout=30)
        assert r.status_code == 202, r.text
        # discoverd syncs the filter before Ironic boots the node: once the node is
        # allowed, the idle one (known to Ironic) is denied by a file of its own.
        hostsdir = Path(lab["dnsmasq"]["workdir"]) / "dhcp-hostsdir"
        wait_for(lambda: (hostsdir / inspected["mac"]).exists(), 60, 0.2,
                 what="the filter's file for the inspected node")
        assert bmc_process.ipmitool(idle["bmc"], "chassis", "bootdev", "pxe").returncode == 0
        assert bmc_process.ipmitool(idle["bmc"], "power", "on").returncode == 0
        dnsmasq_log = Path(lab["dnsmasq"]["workdir"]) / "dnsmasq.log"
        wait_for(lambda: f"{idle['mac']} ignored" in dnsmasq_log.read_text(), 60, 0.5,
                 what="dnsmasq ignoring the idle node")
        node = wait_for(lambda: (lambda n: n if n.provision_state in (
            "manageable", "inspect failed") else None)(bm.get_node("inspected")),
            120, 0.5, what="the end of the inspection")
        yield lab, node, hostsdir, dnsmasq_log.read_text()


def test_node_under_introspection_is_answered(filtered):
    lab, node, hostsdir, log = filtered
    assert node.provision_state == "manageable", node.last_error
    assert node.properties["cpus"] == 2
    assert node.properties["memory_mb"] == 2048
    inspected = lab["nodes"][0]["mac"]
    assert [line for line in log.splitlines() if "DHCPACK" in line and inspected in line]


def test_known_idle_node_is_ignored(filtered):
    lab, node, hostsdir, log = filtered
    idle = lab["nodes"][1]["mac"]
    assert f"{idle} ignored" in log
    offers = [line for line in log.splitlines() if "DHCPOFFER" in line and idle in line]
    assert offers == []
    assert (hostsdir / idle).read_text() == f"{idle},ignore\n"


def test_filter_closes_after_the_introspection(filtered):
    """No introspection runs any more: both MACs and unknown ones are denied."""
    lab, node, hostsdir, log = filtered
    for entry in lab["nodes"]:
        mac = entry["mac"]
        wait_for(lambda m=mac: (hostsdir / m).read_text() == f"{m},ignore\n", 30, 0.2,
                 what=f"{mac} denied")
    assert (hostsdir / "unknown_hosts_filter").read_text() == "*:*:*:*:*:*,ignore\n"
