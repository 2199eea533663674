"""/, /v1 and /v1/introspection through Flask's test client."""

import pytest

from discoverd import records
from discoverd.state import Event
from tests.harness.discoverd_payloads import ramdisk_payload

MACS = ("52:54:00:00:00:01", "52:54:00:00:00:02")
V = "X-OpenStack-Ironic-Inspector-API-Version"


def test_versions(client):
    for path in ("/", "/v1"):
        r = client.get(path)
        assert r.status_code == 200
        assert r.headers["X-OpenStack-Ironic-Inspector-API-Minimum-Version"] == "1.0"
        assert r.headers["X-OpenStack-Ironic-Inspector-API-Maximum-Version"] == "1.18"
    assert client.get("/").json["versions"][0]["id"] == "1.18"
    assert {r["name"] for r in client.get("/v1").json["resources"]} >= {"introspection",
                                                                         "rules"}


@pytest.mark.parametrize(("header", "code"), [("1.18", 200), ("latest", 200), ("1.0", 200),
                                               ("1.19", 406), ("2.0", 406), ("x", 400)])
def test_microversion(client, header, code):
    r = client.get("/v1/introspection", headers={V: header})
    assert r.status_code == code
    if code == 200:
        assert r.headers[V] == ("1.18" if header == "latest" else header)
    else:
        assert "message" in r.json["error"]


def test_start_by_name_manages_boot(client, ironic):
    uuid = ironic.add_node("n1", MACS, bmc="10.0.0.1", power_state="power on")
    assert client.post("/v1/introspection/n1").status_code == 202
    assert ("set_boot_device", uuid, "pxe") in ironic.calls
    assert ("set_power_state", uuid, "rebooting") in ironic.calls
    status = client.get("/v1/introspection/n1").json
    assert status["uuid"] == uuid and status["state"] == "waiting"
    assert status["finished"] is False and status["error"] is None
    assert status["links"][0]["href"].endswith(f"/v1/introspection/{uuid}")


def test_start_without_manage_boot(client, ironic):
    uuid = ironic.add_node("n1", MACS)
    assert client.post(f"/v1/introspection/{uuid}?manage_boot=0").status_code == 202
    assert ironic.calls == []
    assert client.post(f"/v1/introspection/{uuid}?manage_boot=maybe").status_code == 400


def test_start_errors(client, ironic):
    assert client.post("/v1/introspection/nope").status_code == 404
    ironic.add_node("active", MACS, provision_state="active")
    r = client.post("/v1/introspection/active")
    assert r.status_code == 400 and "manageable" in r.json["error"]["message"]
    ironic.add_node("maint", provision_state="enroll", is_maintenance=True)
    assert client.post("/v1/introspection/maint").status_code == 400


def test_restart_while_waiting_allowed_but_not_while_processing(client, ironic, service):
    uuid = ironic.add_node("n1", MACS)
    client.post("/v1/introspection/n1")
    assert client.post("/v1/introspection/n1").status_code == 202
    records.transition(service.db, uuid, Event.process)
    r = client.post("/v1/introspection/n1")
    assert r.status_code == 409 and "'start'" in r.json["error"]["message"]


def test_boot_failure_ends_in_error(client, ironic):
    from discoverd import exception

    uuid = ironic.add_node("n1", MACS)
    ironic.fail["set_boot_device"] = exception.IronicError(call="x", node=uuid, reason="boom")
    assert client.post("/v1/introspection/n1").status_code == 202
    status = client.get(f"/v1/introspection/{uuid}").json
    assert status["state"] == "error" and "boom" in status["error"]


def test_status_unknown(client, ironic):
    r = client.get("/v1/introspection/0b5c8a8e-8d1f-4f0b-9c55-3d1c7c7c7c7c")
    assert r.status_code == 404 and "POST /v1/introspection" in r.json["error"]["message"]


def test_list_pagination(client, ironic):
    uuids = [ironic.add_node(f"n{i}", (f"52:54:00:00:01:{i:02x}",)) for i in range(5)]
    for uuid in uuids:
        client.post(f"/v1/introspection/{uuid}")
    everything = client.get("/v1/introspection").json["introspection"]
    assert [s["uuid"] for s in everything] == list(reversed(uuids))
    page = client.get("/v1/introspection?limit=2").json["introspection"]
    assert [s["uuid"] for s in page] == list(reversed(uuids))[:2]
    nxt = client.get(f"/v1/introspection?limit=2&marker={page[-1]['uuid']}").json
    assert [s["uuid"] for s in nxt["introspection"]] == list(reversed(uuids))[2:4]
    for bad in ("limit=0", "limit=x", "limit=100000", "marker=not-a-uuid"):
        assert client.get(f"/v1/introspection?{bad}").status_code == 400
    assert client.get(
        "/v1/introspection?marker=0b5c8a8e-8d1f-4f0b-9c55-3d1c7c7c7c7c").status_code == 404


def test_abort(client, ironic):
    uuid = ironic.add_node("n1", MACS)
    client.post("/v1/introspection/n1")
    assert client.post("/v1/introspection/n1/abort").status_code == 202
    status = client.get("/v1/introspection/n1").json
    assert status["state"] == "error" and status["error"] == "Canceled by operator"
    assert ironic.calls[-1] == ("set_power_state", uuid, "power off")
    r = client.post("/v1/introspection/n1/abort")
    assert r.status_code == 409 and "'abort'" in r.json["error"]["message"]


def test_data_endpoints(client, ironic):
    ironic.add_node("n1", MACS)
    client.post("/v1/introspection/n1")
    assert client.get("/v1/introspection/n1/data").status_code == 404
    payload = ramdisk_payload(list(MACS))
    assert client.post("/v1/continue", json=payload).status_code == 200
    assert client.get("/v1/introspection/n1/data/unprocessed").json == payload
    processed = client.get("/v1/introspection/n1/data").json
    assert processed["cpus"] == 4 and "logs" not in processed and "data" not in processed


def test_unknown_route_and_method_are_json(client):
    r = client.get("/v1/nothing")
    assert r.status_code == 404 and "message" in r.json["error"]
    r = client.put("/v1/continue")
    assert r.status_code == 405 and "message" in r.json["error"]


def test_list_state_filter(client, ironic, service):
    """API 1.18: ``state`` selects by state; comma-separated or repeated; bad names 400."""
    uuids = [ironic.add_node(f"s{i}", (f"52:54:00:00:02:{i:02x}",)) for i in range(3)]
    for uuid in uuids:
        client.post(f"/v1/introspection/{uuid}")
    records.transition(service.db, uuids[0], Event.process)
    client.post(f"/v1/introspection/{uuids[1]}/abort")

    def listed(query: str) -> set[str]:
        r = client.get(f"/v1/introspection?{query}")
        assert r.status_code == 200, r.json
        return {s["uuid"] for s in r.json["introspection"]}

    assert listed("state=processing") == {uuids[0]}
    assert listed("state=error") == {uuids[1]}
    assert listed("state=waiting") == {uuids[2]}
    assert listed("state=processing,waiting") == {uuids[0], uuids[2]}
    assert listed("state=processing&state=error") == {uuids[0], uuids[1]}
    assert listed("state=finished") == set()
    assert listed("state=reapplying") == set()  # inspector's name, never ours
    assert listed("state=waiting&limit=1") == {uuids[2]}
    assert listed("") == set(uuids)
    for bad in ("state=bogus", "state=error,bogus", "state=", "state=Error"):
        r = client.get(f"/v1/introspection?{bad}")
        assert r.status_code == 400 and "not valid" in r.json["error"]["message"], bad
