"""The payload the real discovery ramdisk recorded on a lab node goes through discoverd."""

import json
from pathlib import Path

import pytest

RECORDED = Path(__file__).parents[1] / "ramdisk" / "data" / "payload_lab_node.json"


@pytest.mark.skipif(not RECORDED.exists(), reason="no recorded ramdisk payload")
def test_recorded_ramdisk_payload(client, ironic):
    payload = json.loads(RECORDED.read_text())
    macs = tuple(i["mac_address"] for i in payload["inventory"]["interfaces"])
    uuid = ironic.add_node("lab-node", macs)
    client.post(f"/v1/introspection/{uuid}")
    r = client.post("/v1/continue", json=payload)
    assert r.status_code == 200, r.json
    props = ironic.nodes[uuid]["properties"]
    inventory = payload["inventory"]
    assert props["cpus"] == inventory["cpu"]["count"]
    assert props["memory_mb"] == inventory["memory"]["physical_mb"]
    assert props["local_gb"] == max(d["size"] for d in inventory["disks"]) // 1024 ** 3 - 1
    assert ironic.nodes[uuid]["extra"]["hardware"]
