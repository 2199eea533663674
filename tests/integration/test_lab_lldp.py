"""LLDP end to end in the lab: switch frames -> agent -> discoverd -> Ironic ports.

A "switch" written here sends real LLDP frames (raw ``AF_PACKET`` socket, LLDP
multicast destination) out of the host end of each lab node's veth, as a switch port
would, each with its own port ID. Ironic inspects the nodes through discoverd with
``ipa-collect-lldp=1 ipa-lldp-timeout=10`` ([inspector] extra_kernel_params); the
agent in each node's namespace listens on its NIC, sends the TLVs in the ``lldp``
field; discoverd's ``lldp_basic`` and ``local_link_connection`` hooks (on by
default) make ``lldp_processed`` and the ports' ``local_link_connection``, and
``openstack baremetal introspection interface list`` shows the switch columns.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from ironic_inspector_client import ClientV1
from keystoneauth1 import session as ks_session
from keystoneauth1.noauth import NoAuth

from baremetal_common.cloud import connect
from ironic_tripleo.enroll.enroll import enroll
from ironic_tripleo.enroll.inventory import validate
from ironic_tripleo.lab.lab import running_lab
from ironic_tripleo.lab.node import NodeSpec
from tests.harness.lab_inspection import inspect_all
from tests.harness.lldp_frames import frame, switch_tlvs

SPECS = [NodeSpec(name="n0", cpus=2, memory_mb=2048, disk_gb=20),
         NodeSpec(name="n1", cpus=2, memory_mb=2048, disk_gb=20)]
CHASSIS = "52:54:00:5c:00:01"


class Switch:
    """Sends an LLDPDU every ``interval`` s out of each given interface until stopped."""

    def __init__(self, ports: dict[str, str], system_name: str, interval: float = 0.5):
        self.frames = {ifname: frame(CHASSIS, switch_tlvs(CHASSIS, port, system_name))
                       for ifname, port in ports.items()}
        self.interval = interval
        self.stopped = threading.Event()
        self.sent = 0
        self.thread = threading.Thread(target=self._run, name="lldp-switch", daemon=True)

    def _run(self) -> None:
        sockets = {}
        try:
            for ifname in self.frames:
                sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
                sock.bind((ifname, 0))
                sockets[ifname] = sock
            while not self.stopped.is_set():
                for ifname, raw in self.frames.items():
                    sockets[ifname].send(raw)
                    self.sent += 1
                self.stopped.wait(self.interval)
        finally:
            for sock in sockets.values():
                sock.close()

    def __enter__(self) -> Switch:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(10)


@pytest.fixture(scope="module")
def inspected(tmp_path_factory):
    overrides = {"extra": {"inspector": {
        "extra_kernel_params": "ipa-collect-lldp=1 ipa-lldp-timeout=10"}}}
    system_name = f"leaf-{uuid.uuid4().hex[:6]}"
    with running_lab(tmp_path_factory.mktemp("lab"), SPECS, subnet="auto",
                     ironic_overrides=overrides) as lab:
        ports = {node["veth"]: f"Ethernet1/{i + 1}" for i, node in enumerate(lab["nodes"])}
        entries = json.loads(open(lab["instackenv"]).read())["nodes"]
        bm = connect(lab["ironic_url"]).baremetal
        enroll(bm, validate({"nodes": entries}), manage=True, timeout=60)
        with Switch(ports, system_name) as switch:
            nodes = inspect_all(lab, bm)
            assert switch.sent > 0
        yield lab, bm, nodes, system_name


def test_ports_get_local_link_connection(inspected):
    lab, bm, nodes, system_name = inspected
    for i, (spec, node) in enumerate(zip(lab["nodes"], nodes, strict=True)):
        assert node.provision_state == "manageable", node.last_error
        port, = bm.ports(node_uuid=node.id, details=True)
        assert port.address == spec["mac"]
        assert port.local_link_connection == {
            "switch_id": CHASSIS, "port_id": f"Ethernet1/{i + 1}", "switch_info": system_name}
    console = open(f"{lab['nodes'][0]['node_dir']}/console.log").read()
    assert "ipa-collect-lldp=1" in console


def test_lldp_in_raw_and_processed_data(inspected):
    lab, _, nodes, system_name = inspected
    client = ClientV1(inspector_url=lab["discoverd_url"], api_version=(1, 18),
                      session=ks_session.Session(auth=NoAuth()))
    raw = client.get_data(nodes[0].id, processed=False)
    eth = raw["inventory"]["interfaces"][0]
    assert [t for t, _ in eth["lldp"]][:3] == [1, 2, 3]  # chassis, port, TTL
    processed = client.get_data(nodes[0].id)
    lldp = processed["all_interfaces"][eth["name"]]["lldp_processed"]
    assert lldp["switch_system_name"] == system_name
    assert lldp["switch_port_vlans"] == [{"id": 100, "name": "provisioning"}]


def test_openstack_introspection_interface_list(inspected):
    """The real ``openstack`` CLI with python-ironic-inspector-client's command."""
    lab, _, nodes, system_name = inspected
    openstack = Path(sys.executable).parent / "openstack"
    out = subprocess.run(
        [str(openstack), "--os-auth-type", "none", "--inspector-url", lab["discoverd_url"],
         "baremetal", "introspection", "interface", "list", nodes[1].id, "-f", "json",
         "--fields", "interface", "mac", "switch_chassis_id", "switch_port_id",
         "switch_system_name", "switch_port_vlan_ids"],
        capture_output=True, text=True, timeout=120, check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("OS_")})
    assert out.returncode == 0, out.stderr
    row, = json.loads(out.stdout)
    assert row["MAC Address"] == lab["nodes"][1]["mac"]
    assert row["Switch Chassis ID"] == CHASSIS
    assert row["Switch Port ID"] == "Ethernet1/2"
    assert row["Switch System Name"] == system_name
    assert row["Switch Port VLAN IDs"] == [100]
