"""The ``discoverd`` inspect interface in a real Ironic 39, with a real discoverd.

Ironic runs ``fake-tripleo`` nodes (the lab's type: fake power/management/boot, our
``discoverd``); the discovery ramdisk is played by posting realistic payloads to
discoverd's ``/v1/continue``.
"""
# ruff: noqa: F811 - the fixtures imported from tests.harness are used by name

import os
import subprocess
import sys

import requests

from baremetal_common.cloud import connect
from tests.harness.discoverd_payloads import ramdisk_payload
from tests.harness.discoverd_stack import (  # noqa: F401 - fixtures
    baremetal,
    bmc_address,
    enroll,
    mac,
    stack,
)
from tests.harness.ports import free_port
from tests.harness.waiting import wait_for

HEADERS = {"X-OpenStack-Ironic-API-Version": "latest"}
def provision(ironic_url: str, node: str, target: str) -> None:
    r = requests.put(f"{ironic_url}/v1/nodes/{node}/states/provision", headers=HEADERS,
                     json={"target": target}, timeout=30)
    assert r.status_code == 202, r.text


def wait_state(baremetal, node: str, wanted: str, timeout: float = 60):
    def reached():
        n = baremetal.get_node(node)
        return n if n.provision_state == wanted else None
    return wait_for(reached, timeout, 0.2, what=f"node {node} to be {wanted}")


def post_payload(discoverd_url: str, payload: dict) -> requests.Response:
    return requests.post(f"{discoverd_url}/v1/continue", json=payload, timeout=30)


def test_inspection_ends_manageable_with_properties_and_ports(stack, baremetal):
    ironic, server = stack
    i = 1
    node = enroll(baremetal, i)
    provision(ironic.url, node.id, "inspect")
    waiting = wait_state(baremetal, node.id, "inspect wait", 30)
    assert waiting.power_state == "power on"
    status = requests.get(f"{server.url}/v1/introspection/{node.id}", timeout=5).json()
    assert status["state"] == "waiting" and not status["finished"]

    payload = ramdisk_payload([mac(i, 1), mac(i, 2), mac(i, 3)],
                              bmc_address=bmc_address(i), cpus=8,
                              memory_mb=16384, disks_gib=(40, 200))
    r = post_payload(server.url, payload)
    assert r.status_code == 200, r.text

    done = wait_state(baremetal, node.id, "manageable", 30)
    assert done.last_error is None
    assert done.properties["cpus"] == 8
    assert done.properties["memory_mb"] == 16384
    assert done.properties["local_gb"] == 199
    assert done.properties["cpu_arch"] == "x86_64"
    assert done.extra["hardware"]["system"]["product"]["name"] == "KVM"
    assert done.power_state == "power off"
    ports = {p.address: p.is_pxe_enabled
             for p in baremetal.ports(node_uuid=node.id, details=True)}
    assert ports == {mac(i, 1): True, mac(i, 2): False}


def test_ports_created_while_inspect_wait(stack, baremetal):
    """A node with no ports, found by its BMC address: discoverd creates the PXE port
    through Ironic's API while the node is in 'inspect wait'."""
    ironic, server = stack
    i = 5
    node = enroll(baremetal, i, ports=0)
    provision(ironic.url, node.id, "inspect")
    wait_state(baremetal, node.id, "inspect wait", 30)
    payload = ramdisk_payload([mac(i, 1), mac(i, 2)], bmc_address=bmc_address(i))
    assert post_payload(server.url, payload).status_code == 200
    done = wait_state(baremetal, node.id, "manageable", 30)
    assert done.properties["cpus"] == 4
    ports = {p.address: p.is_pxe_enabled
             for p in baremetal.ports(node_uuid=node.id, details=True)}
    assert ports == {mac(i, 1): True}


def test_ramdisk_error_fails_inspection_with_message(stack, baremetal):
    ironic, server = stack
    i = 2
    node = enroll(baremetal, i)
    provision(ironic.url, node.id, "inspect")
    wait_state(baremetal, node.id, "inspect wait", 30)
    payload = ramdisk_payload([mac(i, 1)], error="no disks found by lsblk")
    r = post_payload(server.url, payload)
    assert r.status_code == 400
    failed = wait_state(baremetal, node.id, "inspect failed", 30)
    assert "no disks found by lsblk" in failed.last_error
    assert failed.power_state == "power off"


def test_abort_in_inspect_wait(stack, baremetal):
    ironic, server = stack
    node = enroll(baremetal, 3)
    provision(ironic.url, node.id, "inspect")
    wait_state(baremetal, node.id, "inspect wait", 30)
    provision(ironic.url, node.id, "abort")
    failed = wait_state(baremetal, node.id, "inspect failed", 30)
    assert failed.power_state == "power off"
    status = requests.get(f"{server.url}/v1/introspection/{node.id}", timeout=5).json()
    assert status["finished"] and status["state"] == "error"
    assert "Canceled by operator" in status["error"]
    # A late ramdisk post no longer matches a node under introspection.
    r = post_payload(server.url, ramdisk_payload([mac(3, 1)]))
    assert r.status_code == 404


def test_discoverd_unreachable_fails_inspection(ironic_factory):
    """No discoverd at the configured URL: inspect failed naming the URL, power off."""
    dead = f"http://127.0.0.1:{free_port()}"
    ironic = ironic_factory(
        hardware_types=("fake-tripleo",), power_interfaces=("fake",),
        management_interfaces=("fake",), boot_interfaces=("fake",),
        inspect_interfaces=("discoverd", "no-inspect"), vendor_interfaces=("no-vendor",),
        extra={"tripleo_discoverd": {"url": dead, "request_timeout": "2"}})
    baremetal = connect(ironic.url).baremetal
    node = enroll(baremetal, 4)
    provision(ironic.url, node.id, "inspect")
    failed = wait_state(baremetal, node.id, "inspect failed", 30)
    assert "unable to start introspection in discoverd" in failed.last_error
    assert dead in failed.last_error


def test_cli_introspect_wait_reports_progress_and_table(stack, baremetal):
    """``ironic-tripleo introspect NODE... --wait`` from enroll to a final table."""
    ironic, server = stack
    nodes = {i: enroll(baremetal, i, manageable=False) for i in (10, 11, 12)}
    cmd = [sys.executable, "-m", "ironic_tripleo.cli.main", "introspect",
           "--ironic-url", ironic.url, "--wait", "--timeout", "90",
           *(n.name for n in nodes.values())]
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    try:
        for i, node in nodes.items():
            wait_state(baremetal, node.id, "inspect wait", 60)
            error = "disk controller not found" if i == 12 else None
            payload = ramdisk_payload([mac(i, 1), mac(i, 2)], cpus=i, memory_mb=1024 * i,
                                      disks_gib=(i * 10,), error=error)
            assert post_payload(server.url, payload).status_code == (400 if error else 200)
        out, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 1, (out, err)
    lines = out.splitlines()
    assert "3/3 finished, 1 failed" in lines
    assert "\r" not in out  # not a terminal: plain progress lines, no bar
    header = lines.index(next(x for x in lines if x.startswith("node ")))
    rows = {row.split()[0]: row for row in lines[header + 1:]}
    for i in (10, 11):
        row = rows[nodes[i].name].split()
        assert row[1:5] == ["manageable", str(i), str(1024 * i), str(i * 10 - 1)]
    assert "inspect failed" in rows[nodes[12].name]
    assert "disk controller not found" in rows[nodes[12].name]
