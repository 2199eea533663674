"""``POST /v1/introspection/<node>/data/unprocessed``: re-run the hooks on raw data."""

from discoverd import records
from tests.harness.discoverd_payloads import ramdisk_payload

MACS = ["52:54:00:00:00:21"]


def test_reapply_reruns_hooks_and_rules_on_stored_data(client, ironic, service):
    uuid = ironic.add_node("n1", tuple(MACS))
    client.post(f"/v1/introspection/{uuid}?manage_boot=false")
    assert client.post("/v1/continue", json=ramdisk_payload(MACS, cpus=6)).status_code == 200
    ironic.nodes[uuid]["properties"]["cpus"] = 1  # changed by hand in Ironic meanwhile
    client.post("/v1/rules", json={"conditions": [], "actions": [
        {"action": "set-attribute", "path": "/extra/reapplied", "value": "yes"}]})
    ironic.calls.clear()
    r = client.post(f"/v1/introspection/{uuid}/data/unprocessed")
    assert r.status_code == 202, r.json
    assert ironic.nodes[uuid]["properties"]["cpus"] == 6
    assert ironic.nodes[uuid]["extra"]["reapplied"] == "yes"
    assert not [c for c in ironic.calls if c[0] in ("set_power_state", "set_boot_device")]
    status = client.get(f"/v1/introspection/{uuid}").json
    assert status["state"] == "finished" and status["error"] is None
    assert client.get(f"/v1/introspection/{uuid}/data").json["rules_applied"]


def test_reapply_refused_without_data_or_while_running(client, ironic, service):
    uuid = ironic.add_node("n1", tuple(MACS))
    assert client.post(f"/v1/introspection/{uuid}/data/unprocessed").status_code == 404
    client.post(f"/v1/introspection/{uuid}?manage_boot=false")
    records.store_data(service.db, uuid, ramdisk_payload(MACS), processed=False)
    r = client.post(f"/v1/introspection/{uuid}/data/unprocessed")
    assert r.status_code == 409 and "'reapply'" in r.json["error"]["message"]


def test_reapply_failure_ends_in_error(client, ironic, service):
    uuid = ironic.add_node("n1", tuple(MACS))
    client.post(f"/v1/introspection/{uuid}?manage_boot=false")
    client.post("/v1/continue", json=ramdisk_payload(MACS))
    records.store_data(service.db, uuid, ramdisk_payload(MACS, error="disk died"),
                              processed=False)
    r = client.post(f"/v1/introspection/{uuid}/data/unprocessed")
    assert r.status_code == 400 and "disk died" in r.json["error"]["message"]
    status = client.get(f"/v1/introspection/{uuid}").json
    assert status["state"] == "error" and "disk died" in status["error"]
