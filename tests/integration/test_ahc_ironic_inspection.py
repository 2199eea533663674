"""The ``ahc`` hook inside a real Ironic 39's built-in inspection.

A recorded lab payload (24 GiB) is posted to ``/v1/continue_inspection`` for two
nodes in ``inspect wait``; the rules want one control node with >= 16 GiB: the
first node gets ``profile:control`` with its cmdb hostname, the second ``compute``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import requests

from ramdisk import callback
from tests.harness.waiting import wait_for

API = {"X-OpenStack-Ironic-API-Version": "latest"}
HOOKS = ("ramdisk-error,validate-interfaces,ports,architecture,cpus,memory,root-device,"
         "boot-mode,extra-hardware,ahc")
PAYLOAD = Path(__file__).resolve().parents[1] / "unit/ramdisk/data/payload_lab_node.json"
GIB16 = 16 * 1024 ** 3


def write_rules(path: Path) -> Path:
    path.mkdir()
    (path / "state").write_text("[('control', '1'), ('compute', '*')]\n")
    (path / "control.specs").write_text(
        f"[('memory', 'total', 'size', 'ge({GIB16})'),\n"
        " ('network', '$eth', 'serial', '$mac')]\n")
    (path / "control.cmdb").write_text("[{'hostname': 'overcloud-controller-0'}]\n")
    (path / "compute.specs").write_text("[('cpu', 'physical', 'number', 'ge(1)')]\n")
    return path


def payload_with_mac(mac: str) -> dict:
    """The recorded payload, its only NIC renamed to ``mac``."""
    payload = json.loads(PAYLOAD.read_text())
    old = payload["inventory"]["interfaces"][0]["mac_address"]
    text = json.dumps(payload).replace(old, mac)
    return copy.deepcopy(json.loads(text))


def node_state(url: str, uuid: str) -> dict:
    r = requests.get(f"{url}/v1/nodes/{uuid}", headers=API, timeout=10)
    r.raise_for_status()
    return r.json()


def inspect_with(url: str, name: str, mac: str) -> dict:
    r = requests.post(f"{url}/v1/nodes", headers=API, timeout=10, json={
        "driver": "fake-hardware", "inspect_interface": "agent", "name": name,
        "properties": {"capabilities": "boot_option:local"}})
    assert r.status_code == 201, r.text
    uuid = r.json()["uuid"]
    r = requests.post(f"{url}/v1/ports", headers=API, timeout=10,
                      json={"node_uuid": uuid, "address": mac})
    assert r.status_code == 201, r.text
    for target, state in (("manage", "manageable"), ("inspect", "inspect wait")):
        r = requests.put(f"{url}/v1/nodes/{uuid}/states/provision", headers=API, timeout=10,
                         json={"target": target})
        assert r.status_code == 202, r.text
        wait_for(lambda s=state: node_state(url, uuid)["provision_state"] == s,
                 timeout=60, what=f"node {uuid} in {state}")
    answer = callback.post(f"{url}/v1/continue_inspection", payload_with_mac(mac),
                           callback.RetryPolicy(attempts=3, backoff=0.2, timeout=30))
    assert answer["uuid"] == uuid
    node = wait_for(lambda: (lambda n: n if n["provision_state"] not in (
        "inspect wait", "inspecting") else None)(node_state(url, uuid)),
        timeout=60, what="inspection end")
    assert node["provision_state"] == "manageable", node["last_error"]
    return node


def caps(node: dict) -> dict[str, str]:
    return dict(item.split(":", 1) for item in node["properties"]["capabilities"].split(","))


def test_profile_from_builtin_inspection(ironic_factory, tmp_path):
    rules = write_rules(tmp_path / "rules")
    ironic = ironic_factory(
        hardware_types=("fake-hardware",), power_interfaces=("fake",),
        management_interfaces=("fake",), boot_interfaces=("fake",),
        inspect_interfaces=("agent", "no-inspect"),
        extra={"inspector": {"require_managed_boot": "false", "hooks": HOOKS},
               "tripleo_ahc": {"rules_dir": str(rules)}},
    )
    first = inspect_with(ironic.url, "ahc-a", "52:54:00:5e:00:01")
    second = inspect_with(ironic.url, "ahc-b", "52:54:00:5e:00:02")

    assert caps(first)["profile"] == "control"
    assert caps(first)["boot_option"] == "local" and "boot_mode" in caps(first)
    assert first["extra"]["ahc"] == {"profile": "control", "variables": {
        "hostname": "overcloud-controller-0", "eth": "eth0", "mac": "52:54:00:5e:00:01"}}
    assert first["properties"]["memory_mb"] == 24576
    assert caps(second)["profile"] == "compute"
    assert "'used': 1" in (rules / "control.cmdb").read_text()
