"""POST /v1/continue: lookup, processing, failures, body limit."""

from discoverd import records
from tests.harness.discoverd_payloads import ramdisk_payload

MACS = ["52:54:00:00:00:01", "52:54:00:00:00:02"]


def started(client, ironic, name="n1", macs=MACS, **kw):
    uuid = ironic.add_node(name, tuple(macs), **kw)
    assert client.post(f"/v1/introspection/{uuid}").status_code == 202
    return uuid


def test_success_writes_node(client, ironic):
    uuid = started(client, ironic)
    r = client.post("/v1/continue", json=ramdisk_payload(MACS))
    assert r.status_code == 200 and r.json == {"uuid": uuid}
    node = ironic.nodes[uuid]
    assert node["properties"]["cpus"] == 4 and node["extra"]["hardware"]
    assert node["power_state"] == "power off"
    assert client.get(f"/v1/introspection/{uuid}").json["state"] == "finished"


def test_lookup_by_bmc_only(client, ironic):
    uuid = started(client, ironic, macs=[], bmc="10.1.1.1")
    payload = ramdisk_payload(["52:54:00:99:99:99"], bmc_address="10.1.1.1")
    assert client.post("/v1/continue", json=payload).json == {"uuid": uuid}


def test_second_post_is_conflict_or_not_found(client, ironic):
    started(client, ironic)
    assert client.post("/v1/continue", json=ramdisk_payload(MACS)).status_code == 200
    r = client.post("/v1/continue", json=ramdisk_payload(MACS))
    assert r.status_code == 404


def test_ramdisk_error_fails_introspection(client, ironic):
    uuid = started(client, ironic)
    r = client.post("/v1/continue", json=ramdisk_payload(MACS, error="no disks found"))
    assert r.status_code == 400
    assert "ramdisk_error" in r.json["error"]["message"]
    status = client.get(f"/v1/introspection/{uuid}").json
    assert status["state"] == "error" and "no disks found" in status["error"]
    assert client.get(f"/v1/introspection/{uuid}/data/unprocessed").status_code == 200


def test_hook_failure_names_hook(client, ironic):
    uuid = started(client, ironic)
    payload = ramdisk_payload(MACS)
    del payload["inventory"]["cpu"]
    r = client.post("/v1/continue", json=payload)
    assert r.status_code == 400 and "'scheduler'" in r.json["error"]["message"]
    assert client.get(f"/v1/introspection/{uuid}").json["state"] == "error"


def test_ironic_failure_is_error_state_and_502(client, ironic):
    from discoverd import exception

    uuid = started(client, ironic)
    ironic.fail["patch_node"] = exception.IronicError(call="patch_node", node=uuid,
                                                      reason="Ironic down")
    r = client.post("/v1/continue", json=ramdisk_payload(MACS))
    assert r.status_code == 502
    assert "Ironic down" in client.get(f"/v1/introspection/{uuid}").json["error"]


def test_rule_fail_action(client, ironic):
    uuid = started(client, ironic)
    client.post("/v1/rules", json={"conditions": [{"op": "lt", "field": "memory_mb",
                                                   "value": 16384}],
                                   "actions": [{"action": "fail", "message": "too small"}]})
    r = client.post("/v1/continue", json=ramdisk_payload(MACS))
    assert r.status_code == 400 and "too small" in r.json["error"]["message"]
    assert client.get(f"/v1/introspection/{uuid}").json["state"] == "error"


def test_invalid_payload_is_400_and_stores_nothing(client, ironic, service):
    uuid = started(client, ironic)
    r = client.post("/v1/continue", json={"inventory": {"interfaces": "eth0"}})
    assert r.status_code == 400 and "inventory/interfaces" in r.json["error"]["message"]
    r = client.post("/v1/continue", data=b"not json", content_type="application/json")
    assert r.status_code == 400
    assert records.get(service.db, uuid).state == "waiting"
    assert client.get(f"/v1/introspection/{uuid}/data/unprocessed").status_code == 404


def test_no_keys_is_404(client):
    r = client.post("/v1/continue", json={"inventory": {"interfaces": []}})
    assert r.status_code == 404 and "no BMC address" in r.json["error"]["message"]


def test_body_too_large_is_413(client):
    r = client.post("/v1/continue", data=b"x" * (2 * 1024 * 1024),
                    content_type="application/json")
    assert r.status_code == 413 and "max_content_length" in r.json["error"]["message"]
