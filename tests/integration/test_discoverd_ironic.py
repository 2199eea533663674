"""discoverd against a real Ironic 39 (fake power): the whole introspection flow.

discoverd runs in this process on a free port; the ramdisk is played by posting
realistic payloads to ``/v1/continue``; results are read back from real Ironic.
"""
# ruff: noqa: F811 - the fixtures imported from tests.harness are used by name

import random
import time

import pytest
import requests
from ironic_inspector_client import ClientError, ClientV1
from keystoneauth1 import session as ks_session
from keystoneauth1.noauth import NoAuth

from tests.harness.discoverd_payloads import ramdisk_payload
from tests.harness.discoverd_servers import (  # noqa: F401 - fixtures
    baremetal,
    discoverd_factory,
    enroll,
    ironic,
)
from tests.harness.waiting import wait_for


def inspector(url: str) -> ClientV1:
    return ClientV1(inspector_url=url, session=ks_session.Session(auth=NoAuth()),
                    api_version=(1, 18))


_PREFIX = random.randrange(256)  # tests in one module share one Ironic


def mac(i: int, j: int) -> str:
    return f"52:54:00:{_PREFIX:02x}:{i:02x}:{j:02x}"


def test_full_introspection_through_client_and_real_ironic(discoverd_factory, baremetal):
    server = discoverd_factory()
    client = inspector(server.url)
    nodes = {}
    for i in range(3):
        macs = [mac(i, 1), mac(i, 2)]
        nodes[f"dn-{i}-{time.monotonic_ns()}"] = (enroll(baremetal, f"dn{i}-{time.time_ns()}",
                                                         macs, f"10.11.12.{i + 1}"), macs)
    for node, _ in nodes.values():
        client.introspect(node.name)
    statuses = {s["uuid"]: s for s in client.list_statuses()}
    for node, _ in nodes.values():
        assert statuses[node.id]["state"] == "waiting"
        assert baremetal.get_node(node.id).power_state == "power on"

    for i, (node, macs) in enumerate(nodes.values()):
        payload = ramdisk_payload(macs + [mac(i, 3)], bmc_address=f"10.11.12.{i + 1}",
                                  cpus=2 + i, memory_mb=4096 * (i + 1), disks_gib=(40, 100))
        r = requests.post(f"{server.url}/v1/continue", json=payload, timeout=30)
        assert r.status_code == 200, r.text
        assert r.json() == {"uuid": node.id}

    result = client.wait_for_finish([n.id for n, _ in nodes.values()], retry_interval=0.2,
                                    max_retries=50)
    for i, (node, macs) in enumerate(nodes.values()):
        assert result[node.id]["error"] is None
        assert result[node.id]["state"] == "finished"
        real = baremetal.get_node(node.id)
        assert real.properties["cpus"] == 2 + i
        assert real.properties["memory_mb"] == 4096 * (i + 1)
        assert real.properties["local_gb"] == 99
        assert real.properties["cpu_arch"] == "x86_64"
        assert "cpu_vt:true" in real.properties["capabilities"]
        assert real.extra["hardware"]["system"]["product"]["name"] == "KVM"
        assert real.power_state == "power off"
        ports = {p.address: p.is_pxe_enabled
                 for p in baremetal.ports(node_uuid=node.id, details=True)}
        assert ports == {macs[0]: True, macs[1]: False}  # add_ports=pxe: no port for eth2
        data = client.get_data(node.id)
        assert data["cpus"] == 2 + i and "eth0" in data["all_interfaces"]
        raw = client.get_data(node.id, processed=False)
        assert raw["inventory"]["cpu"]["count"] == 2 + i


def test_rules_applied_and_all_ports_added(discoverd_factory, baremetal):
    server = discoverd_factory(validate_interfaces__add_ports="all")
    client = inspector(server.url)
    client.rules.create(
        conditions=[{"op": "ge", "field": "memory_mb", "value": 8192},
                    {"op": "in-net", "field": "data://inventory.interfaces[*].ipv4_address",
                     "value": "198.51.100.0/24"}],
        actions=[{"action": "set-capability", "name": "profile", "value": "compute"},
                 {"action": "set-attribute", "path": "/extra/role", "value": "compute"},
                 {"action": "add-trait", "name": "CUSTOM_BIG"}],
        description="big nodes are computes")
    assert [r["description"] for r in client.rules.get_all()] == ["big nodes are computes"]
    macs = [mac(7, 1)]
    node = enroll(baremetal, f"rules-{time.time_ns()}", macs, "10.11.13.1")
    client.introspect(node.id)
    payload = ramdisk_payload(macs + [mac(7, 2)], memory_mb=16384)
    r = requests.post(f"{server.url}/v1/continue", json=payload, timeout=30)
    assert r.status_code == 200, r.text
    real = baremetal.get_node(node.id)
    assert "profile:compute" in real.properties["capabilities"]
    assert real.extra["role"] == "compute"
    assert "CUSTOM_BIG" in real.traits
    assert {p.address for p in baremetal.ports(node_uuid=node.id)} == {mac(7, 1), mac(7, 2)}
    client.rules.delete_all()


def test_abort_and_unknown_node(discoverd_factory, baremetal):
    server = discoverd_factory()
    client = inspector(server.url)
    macs = [mac(8, 1)]
    node = enroll(baremetal, f"abort-{time.time_ns()}", macs, "10.11.14.1")
    client.introspect(node.id)
    client.abort(node.id)
    status = client.get_status(node.id)
    assert status["finished"] and status["error"] == "Canceled by operator"
    wait_for(lambda: baremetal.get_node(node.id).power_state == "power off", 10,
             what="power off after abort")
    r = requests.post(f"{server.url}/v1/continue", json=ramdisk_payload(macs), timeout=30)
    assert r.status_code == 404, r.text
    with pytest.raises(ClientError) as err:
        client.introspect("no-such-node")
    assert err.value.response.status_code == 404
    r = requests.post(f"{server.url}/v1/continue", json=ramdisk_payload([mac(9, 9)]),
                      timeout=30)
    assert r.status_code == 404 and "start introspection" in r.json()["error"]["message"]


def test_ambiguous_macs_across_two_nodes_store_nothing(discoverd_factory, baremetal):
    server = discoverd_factory()
    client = inspector(server.url)
    a = enroll(baremetal, f"amb-a-{time.time_ns()}", [mac(10, 1)], "127.0.0.1")
    b = enroll(baremetal, f"amb-b-{time.time_ns()}", [mac(11, 1)], "127.0.0.1")
    client.introspect(a.id)
    client.introspect(b.id)
    # Same BMC address (lab BMCs on loopback) and one MAC of each node: ambiguous.
    payload = ramdisk_payload([mac(10, 1), mac(11, 1)], bmc_address="127.0.0.1")
    r = requests.post(f"{server.url}/v1/continue", json=payload, timeout=30)
    assert r.status_code == 409, r.text
    assert a.id in r.json()["error"]["message"] and b.id in r.json()["error"]["message"]
    for node in (a, b):
        assert client.get_status(node.id)["state"] == "waiting"
        with pytest.raises(ClientError):
            client.get_data(node.id, processed=False)
    # One MAC is enough once it is unambiguous.
    r = requests.post(f"{server.url}/v1/continue",
                      json=ramdisk_payload([mac(10, 1)], bmc_address="127.0.0.1"), timeout=30)
    assert r.status_code == 200 and r.json()["uuid"] == a.id


def test_timeout_powers_off_and_errors(discoverd_factory, baremetal):
    server = discoverd_factory(timeout=1, clean_up_period=1)
    client = inspector(server.url)
    node = enroll(baremetal, f"timeout-{time.time_ns()}", [mac(12, 1)], "10.11.15.1")
    client.introspect(node.id)
    status = wait_for(lambda: (s := client.get_status(node.id))["finished"] and s, 15,
                      what="introspection timeout")
    assert status["state"] == "error" and "timeout" in status["error"]
    wait_for(lambda: baremetal.get_node(node.id).power_state == "power off", 10,
             what="power off after timeout")


def test_restart_mid_introspection_loses_nothing(discoverd_factory, baremetal):
    first = discoverd_factory()
    macs = [mac(13, 1)]
    node = enroll(baremetal, f"restart-{time.time_ns()}", macs, "10.11.16.1")
    inspector(first.url).introspect(node.id)
    first.stop()
    second = discoverd_factory()
    assert inspector(second.url).get_status(node.id)["state"] == "waiting"
    r = requests.post(f"{second.url}/v1/continue", json=ramdisk_payload(macs), timeout=30)
    assert r.status_code == 200, r.text
    assert inspector(second.url).get_status(node.id)["state"] == "finished"
    assert baremetal.get_node(node.id).properties["cpus"] == 4


def test_http_basic_auth(discoverd_factory, tmp_path, baremetal):
    import bcrypt

    users = tmp_path / "htpasswd"
    users.write_text("admin:" + bcrypt.hashpw(b"secret", bcrypt.gensalt(4)).decode() + "\n")
    server = discoverd_factory(auth_strategy="http_basic",
                               http_basic_auth_user_file=str(users))
    r = requests.get(f"{server.url}/v1/introspection", timeout=5)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Basic")
    r = requests.get(f"{server.url}/v1/introspection", auth=("admin", "wrong"), timeout=5)
    assert r.status_code == 401
    r = requests.get(f"{server.url}/v1/introspection", auth=("admin", "secret"), timeout=5)
    assert r.status_code == 200
    assert requests.get(server.url, timeout=5).status_code == 200
    r = requests.post(f"{server.url}/v1/continue", json=ramdisk_payload([mac(14, 1)]),
                      timeout=5)
    assert r.status_code == 404  # public endpoint: reaches lookup, no such node


def test_list_state_filter_over_http(discoverd_factory, baremetal):
    """API 1.18 ``?state=`` on a running discoverd (python-ironic-inspector-client 5.4
    has no state argument, so plain HTTP as ``curl`` would send it)."""
    server = discoverd_factory()
    client = inspector(server.url)
    waiting = enroll(baremetal, f"st-w-{time.time_ns()}", [mac(15, 1)], "10.11.17.1")
    aborted = enroll(baremetal, f"st-a-{time.time_ns()}", [mac(15, 2)], "10.11.17.2")
    client.introspect(waiting.id)
    client.introspect(aborted.id)
    client.abort(aborted.id)
    headers = {"X-OpenStack-Ironic-Inspector-API-Version": "1.18"}

    def listed(state: str) -> set[str]:
        r = requests.get(f"{server.url}/v1/introspection", params={"state": state},
                         headers=headers, timeout=10)
        assert r.status_code == 200, r.text
        return {s["uuid"] for s in r.json()["introspection"]}

    assert listed("waiting") == {waiting.id}
    assert listed("error") == {aborted.id}
    assert listed("waiting,error") == {waiting.id, aborted.id}
    assert listed("finished") == set()
    r = requests.get(f"{server.url}/v1/introspection?state=nonsense", headers=headers,
                     timeout=10)
    assert r.status_code == 400 and "nonsense" in r.json()["error"]["message"]


def test_lldp_and_physnet_on_a_port_created_by_discoverd(discoverd_factory, baremetal):
    """A node without ports, found by its BMC address: discoverd creates the PXE port
    with the switch's local_link_connection and the physical network of its subnet."""
    from tests.harness.lldp_frames import as_ramdisk_reports, switch_tlvs

    server = discoverd_factory(physnet_cidr_map__cidr_map=["203.0.113.0/24:storage",
                                                            "198.51.100.0/24:provisioning"])
    node = enroll(baremetal, f"lldp-{time.time_ns()}", [], "10.11.18.1")
    inspector(server.url).introspect(node.id)
    payload = ramdisk_payload([mac(16, 1)], bmc_address="10.11.18.1")
    payload["inventory"]["interfaces"][0]["lldp"] = as_ramdisk_reports(
        switch_tlvs("52:54:00:ab:cd:ef", "Ethernet1/9", "leaf-9"))
    r = requests.post(f"{server.url}/v1/continue", json=payload, timeout=30)
    assert r.status_code == 200, r.text
    port, = baremetal.ports(node_uuid=node.id, details=True)
    assert port.address == mac(16, 1)
    assert port.local_link_connection == {"switch_id": "52:54:00:ab:cd:ef",
                                          "port_id": "Ethernet1/9", "switch_info": "leaf-9"}
    assert port.physical_network == "provisioning"


def test_auto_discovery_enrolls_an_unknown_machine(discoverd_factory, baremetal):
    """[discovery] enroll_unknown: data from a machine Ironic does not know creates the
    node (driver, BMC address, boot port), is processed, and rules see auto_discovered."""
    server = discoverd_factory(discovery__enroll_unknown=True,
                               discovery__enroll_node_driver="fake-hardware")
    client = inspector(server.url)
    client.rules.create(
        conditions=[{"op": "eq", "field": "data://auto_discovered", "value": True}],
        actions=[{"action": "set-attribute", "path": "/extra/discovered", "value": "yes"}])
    macs = [mac(17, 1), mac(17, 2)]
    r = requests.post(f"{server.url}/v1/continue", timeout=30,
                      json=ramdisk_payload(macs, bmc_address="10.11.19.1", cpus=3))
    assert r.status_code == 200, r.text
    node = baremetal.get_node(r.json()["uuid"])
    assert node.driver == "fake-hardware" and node.provision_state == "enroll"
    assert node.driver_info == {"ipmi_address": "10.11.19.1"}
    assert node.properties["cpus"] == 3 and node.extra["discovered"] == "yes"
    assert [p.address for p in baremetal.ports(node_uuid=node.id)] == [macs[0]]
    assert client.get_status(node.id)["state"] == "finished"
    # the same machine again: its MAC is known now, so it is not enrolled twice
    r = requests.post(f"{server.url}/v1/continue", json=ramdisk_payload(macs), timeout=30)
    assert r.status_code == 404 and node.id in r.json()["error"]["message"]
    client.rules.delete_all()
