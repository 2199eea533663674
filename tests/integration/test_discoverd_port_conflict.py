"""Ramdisk data naming another node's port: refused before anything is written.

Real Ironic 39 (fake interfaces) and a real discoverd; node-0 is under
introspection and the payload's boot interface is node-1's MAC.
"""

import random
import time

import requests

from tests.harness.discoverd_payloads import ramdisk_payload
from tests.harness.discoverd_servers import (  # noqa: F401
    baremetal,
    discoverd_factory,
    enroll,
    ironic,
)

_PREFIX = random.randrange(256)
PROPERTIES = {"cpus": 61, "memory_mb": 24576, "local_gb": 255, "cpu_arch": "x86_64"}


def mac(i: int, j: int) -> str:
    return f"52:54:02:{_PREFIX:02x}:{i:02x}:{j:02x}"


def test_other_nodes_mac_is_409_and_node_untouched(discoverd_factory, baremetal):  # noqa: F811
    server = discoverd_factory()
    bmc = f"10.31.{_PREFIX}.1"
    node0 = enroll(baremetal, f"pc0-{time.time_ns()}", [mac(0, 1)], bmc)
    node1 = enroll(baremetal, f"pc1-{time.time_ns()}", [mac(1, 1)], f"10.31.{_PREFIX}.2")
    baremetal.update_node(node0, properties=PROPERTIES)
    port1 = next(iter(baremetal.ports(node_uuid=node1.id))).id
    r = requests.post(f"{server.url}/v1/introspection/{node0.id}?manage_boot=false",
                      timeout=30)
    assert r.status_code == 202, r.text

    # eth0 (with an IP, the boot interface) is node-1's NIC.
    payload = ramdisk_payload([mac(1, 1), mac(0, 1)], bmc_address=bmc, cpus=7,
                              memory_mb=2048, disks_gib=(1,))
    r = requests.post(f"{server.url}/v1/continue", json=payload, timeout=60)
    assert r.status_code == 409, r.text
    message = r.json()["error"]["message"]
    assert mac(1, 1) in message and port1 in message and node1.id in message

    after = baremetal.get_node(node0.id)
    assert {k: after.properties.get(k) for k in PROPERTIES} == PROPERTIES
    assert {p.address for p in baremetal.ports(node_uuid=node0.id)} == {mac(0, 1)}
    assert {p.address for p in baremetal.ports(node_uuid=node1.id)} == {mac(1, 1)}
    status = requests.get(f"{server.url}/v1/introspection/{node0.id}", timeout=5).json()
    assert status["state"] == "error" and mac(1, 1) in status["error"]
