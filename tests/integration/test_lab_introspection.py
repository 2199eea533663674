"""Introspection in the lab, end to end, through real Ironic's inspect interface.

Three lab nodes of different sizes are enrolled (without size hints) and inspected
with ``PUT .../states/provision {"target": "inspect"}``: Ironic's ``pxe`` interface
writes each node's PXE config, our power interface boots it through the virtual
BMC, the firmware emulation does DHCP and TFTP against the lab's dnsmasq and runs
the discovery agent, which posts to discoverd; Ironic's ``discoverd`` inspect
interface ends the inspection. A fourth node, never enrolled, PXE-boots meanwhile
and gets no introspection.
"""

import json

import pytest
import requests
from ironic_inspector_client import ClientV1
from keystoneauth1 import session as ks_session
from keystoneauth1.noauth import NoAuth

from baremetal_common.cloud import connect
from ironic_tripleo.enroll.enroll import enroll
from ironic_tripleo.enroll.inventory import validate
from ironic_tripleo.lab import bmc_process
from ironic_tripleo.lab.lab import running_lab
from ironic_tripleo.lab.node import NodeSpec
from tests.harness.waiting import wait_for

HEADERS = {"X-OpenStack-Ironic-API-Version": "latest"}
SPECS = [
    NodeSpec(name="small", cpus=2, memory_mb=2048, disk_gb=20),
    NodeSpec(name="big", cpus=8, memory_mb=16384, disk_gb=120, disk_rotational=True),
    NodeSpec(name="mid", cpus=4, memory_mb=8192, disk_gb=60),
    NodeSpec(name="stray", cpus=1, memory_mb=1024, disk_gb=5),  # never enrolled
]
MiB, GiB = 1024 ** 2, 1024 ** 3


@pytest.fixture(scope="module")
def inspected(tmp_path_factory):
    """The lab after inspecting the first three nodes; the fourth PXE-booted unknown."""
    with running_lab(tmp_path_factory.mktemp("lab"), SPECS, subnet="auto") as lab:
        entries = json.loads(open(lab["instackenv"]).read())["nodes"][:3]
        for entry in entries:  # sizes must come from introspection, not from hints
            for key in ("cpu", "memory", "disk"):
                entry.pop(key)
        bm = connect(lab["ironic_url"]).baremetal
        enroll(bm, validate({"nodes": entries}), manage=True, timeout=60)
        stray = lab["nodes"][3]
        assert bmc_process.ipmitool(stray["bmc"], "chassis", "bootdev", "pxe").returncode == 0
        for node in lab["nodes"][:3]:
            r = requests.put(f"{lab['ironic_url']}/v1/nodes/{node['name']}/states/provision",
                             headers=HEADERS, json={"target": "inspect"}, timeout=30)
            assert r.status_code == 202, r.text
        assert bmc_process.ipmitool(stray["bmc"], "power", "on").returncode == 0

        def finished():
            nodes = [bm.get_node(n["name"]) for n in lab["nodes"][:3]]
            states = {n.provision_state for n in nodes}
            return nodes if states <= {"manageable", "inspect failed"} else None
        try:
            nodes = wait_for(finished, 90, 0.5, what="the end of the inspections")
        except TimeoutError:
            for n in lab["nodes"]:
                print(n["name"], open(f"{n['node_dir']}/console.log").read()[-3000:])
            print([(n.name, n.provision_state, n.last_error) for n in bm.nodes(details=True)])
            raise
        yield lab, bm, {n.name: n for n in nodes}


@pytest.mark.parametrize("index", [0, 1, 2])
def test_node_properties_match_its_spec(inspected, index):
    lab, bm, nodes = inspected
    spec, node = SPECS[index], nodes[SPECS[index].name]
    assert node.provision_state == "manageable", node.last_error
    assert node.last_error is None
    assert node.power_state == "power off"
    assert node.properties["cpus"] == spec.cpus
    assert node.properties["memory_mb"] == spec.memory_mb
    assert node.properties["local_gb"] == spec.disk_gb - 1  # IPA/inspector convention
    assert node.properties["cpu_arch"] == "x86_64"
    facts = node.extra["hardware"]
    assert facts["cpu"]["logical"]["number"] == str(spec.cpus)
    assert facts["memory"]["total"]["size"] == str(spec.memory_mb * MiB)
    assert facts["disk"]["vda"]["rotational"] == ("1" if spec.disk_rotational else "0")
    assert facts["network"]["eth0"]["serial"] == lab["nodes"][index]["mac"]
    ports = list(bm.ports(node_uuid=node.id, details=True))
    assert [(p.address, p.is_pxe_enabled) for p in ports] == [(lab["nodes"][index]["mac"],
                                                               True)]


def test_console_shows_dhcp_tftp_and_agent(inspected):
    lab, _, nodes = inspected
    node = lab["nodes"][1]
    console = open(f"{node['node_dir']}/console.log").read()
    config = "pxelinux.cfg/01-" + node["mac"].replace(":", "-")
    assert "booting from pxe" in console
    assert "DHCP: lease 198.51.100." in console or "DHCP: lease 203.0.113." in console
    assert f"TFTP: fetched {lab['network']['host_address']}:{config}" in console
    assert f"{nodes['big'].id}/deploy_kernel" in console
    assert "ipa-inspection-callback-url=" + lab["discoverd_url"] in console
    assert "accepted the inspection data (HTTP 200)" in console
    assert "callback answer: {'uuid': '" + nodes["big"].id in console
    # discoverd powers the node off once it has the data, which may cut the
    # firmware before it sees the agent exit; an exit it did see must be clean
    assert "ramdisk agent exited with" not in console or "ramdisk agent exited with 0" in console


def test_inspector_client_sees_the_introspection(inspected):
    lab, _, nodes = inspected
    client = ClientV1(inspector_url=lab["discoverd_url"], api_version=(1, 18),
                      session=ks_session.Session(auth=NoAuth()))
    uuid = nodes["mid"].id
    status = client.get_status(uuid)
    assert status["finished"] and status["error"] is None
    data = client.get_data(uuid)
    assert data["inventory"]["memory"]["physical_mb"] == 8192
    assert [d["size"] for d in data["inventory"]["disks"]] == [60 * GiB]
    assert data["boot_interface"] == lab["nodes"][2]["mac"]


def test_unknown_mac_gets_no_introspection(inspected):
    lab, _, nodes = inspected
    stray = lab["nodes"][3]
    console = f"{stray['node_dir']}/console.log"
    wait_for(lambda: "no bootable device" in open(console).read(), 30,
             what="the stray node's PXE ROM to give up")
    text = open(console).read()
    assert "TFTP: fetched" in text and "pxelinux.0" in text
    assert "starting the ramdisk agent" not in text
    listed = requests.get(f"{lab['discoverd_url']}/v1/introspection", timeout=10).json()
    uuids = {i["uuid"] for i in listed["introspection"]}
    assert uuids == {n.id for n in nodes.values()}
