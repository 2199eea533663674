"""A production-shaped Ironic 39 (``ironic_tripleo.lab.ironic_cluster``): PostgreSQL,
``ironic-api`` with two workers, two ``ironic-conductor`` processes on one hash ring
over JSON-RPC. Nodes (tripleo-ipmi, behind in-process virtual BMCs) are spread over
both conductors, power on/off through the API works for every node, and after one
conductor is killed the other takes its nodes over within bounded time."""

import concurrent.futures
import re
import time

import pytest
import requests

from baremetal_common.cloud import connect
from ironic_tripleo.lab.ironic_cluster import ClusterConfig, IronicCluster
from ironic_tripleo.lab.ironic_service import API_VERSION_HEADER, IronicConfig
from ironic_tripleo.vbmc.memory_backend import MemoryBackend
from ironic_tripleo.vbmc.server import BmcServer
from tests.harness.ports import free_port
from tests.harness.waiting import wait_for

NODES = 12  # both conductors get nodes unless the ring maps 12 random UUIDs to one
HEARTBEAT_TIMEOUT = 6


@pytest.fixture
def bmcs():
    server = BmcServer(tick=0.5)
    backends = {}
    for i in range(NODES):
        backend = MemoryBackend(power="on")
        backends[server.add_node(f"c{i}", backend, "admin", "password")] = backend
    server.start()
    yield backends
    server.stop()


@pytest.fixture
def cluster(tmp_path):
    cfg = ClusterConfig(
        ironic=IronicConfig(workdir=tmp_path / "ironic", port=free_port(),
                            sync_power_state_interval=600,
                            extra={"DEFAULT": {"hash_ring_reset_interval": "2"}}),
        rpc_ports=(free_port(), free_port()), api_workers=2, database_port=free_port(),
        heartbeat_interval=1, heartbeat_timeout=HEARTBEAT_TIMEOUT)
    service = IronicCluster(cfg)
    service.start(timeout=180)
    yield service
    service.stop()


def _serving_pids(cluster) -> set[str]:
    """Pids of the API processes that logged a request to /v1/nodes."""
    log = (cluster.workdir / "api" / "ironic.log").read_text(errors="replace")
    return set(re.findall(r"^\S+ \S+ (\d+) INFO ironic\.api .* GET /v1/nodes ", log,
                          re.MULTILINE))


def _power_all(baremetal, nodes, target):
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda n: baremetal.set_node_power_state(n, target, wait=True,
                                                                 timeout=60), nodes))


def test_two_conductors_share_nodes_and_take_over(cluster, bmcs):
    baremetal = connect(cluster.url).baremetal
    assert cluster.alive_conductors() == set(cluster.conductor_hosts)
    r = requests.get(f"{cluster.url}/", timeout=5)
    assert r.status_code == 200
    # api_workers processes serve the API: new connections spread over them (before,
    # Ironic 39's ironic-api served from one, the other crash-looping on the port).
    for _ in range(40):
        requests.get(f"{cluster.url}/v1/nodes", headers=API_VERSION_HEADER,
                     timeout=10).raise_for_status()
    assert len(_serving_pids(cluster)) == 2, _serving_pids(cluster)
    stderr = (cluster.workdir / "api" / "ironic.stderr").read_text(errors="replace")
    assert "Address already in use" not in stderr
    nodes = []
    for port in bmcs:
        node = baremetal.create_node(driver="tripleo-ipmi", name=f"c-{port}", driver_info={
            "ipmi_address": "127.0.0.1", "ipmi_port": port, "ipmi_username": "admin",
            "ipmi_password": "password"})
        nodes.append(node)
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda n: baremetal.set_node_provision_state(
            n, "manage", wait=True, timeout=90), nodes))

    mapped = {n.id: baremetal.get_node(n.id).conductor for n in nodes}
    assert set(mapped.values()) == set(cluster.conductor_hosts), mapped

    # Power through the API, every node: each call goes over JSON-RPC to the
    # conductor that owns the node, whose session pool talks to the BMC.
    port_of = {n.id: n.driver_info["ipmi_port"] for n in nodes}
    _power_all(baremetal, nodes, "power off")
    assert {bmcs[port_of[n.id]].get_power_state().value for n in nodes} == {"off"}
    assert {baremetal.get_node(n.id).power_state for n in nodes} == {"power off"}
    _power_all(baremetal, nodes, "power on")
    assert {bmcs[port_of[n.id]].get_power_state().value for n in nodes} == {"on"}

    # A conductor crashes: once its heartbeat is older than heartbeat_timeout, the
    # hash ring drops it and the survivor serves its nodes.
    dead, survivor = cluster.conductor_hosts
    victims = [n for n in nodes if mapped[n.id] == dead]
    killed = time.monotonic()  # measured for the log, not asserted
    cluster.kill_conductor(0)
    wait_for(lambda: cluster.alive_conductors() == {survivor}, timeout=60,
             interval=0.5, what="the killed conductor to be reported dead")
    wait_for(lambda: all(baremetal.get_node(n.id).conductor == survivor for n in victims),
             timeout=30, interval=0.5, what="its nodes to map to the survivor")
    _power_all(baremetal, victims, "power off")
    takeover = time.monotonic() - killed
    assert {bmcs[port_of[n.id]].get_power_state().value for n in victims} == {"off"}
    print(f"takeover: {takeover:.1f} s from the kill to the last victim powered off")
