"""/v1/rules through Flask's test client."""

RULE = {"description": "d", "conditions": [{"op": "eq", "field": "cpus", "value": 4}],
        "actions": [{"action": "set-capability", "name": "profile", "value": "x"}]}
V = {"X-OpenStack-Ironic-Inspector-API-Version": "1.18"}


def test_crud(client):
    r = client.post("/v1/rules", json=RULE, headers=V)
    assert r.status_code == 201
    uuid = r.json["uuid"]
    assert client.post("/v1/rules", json=RULE).status_code == 200  # API 1.0
    listed = client.get("/v1/rules").json["rules"]
    assert len(listed) == 2 and set(listed[0]) == {"uuid", "description", "links"}
    got = client.get(f"/v1/rules/{uuid}").json
    assert got["conditions"] == RULE["conditions"] and got["actions"] == RULE["actions"]
    assert client.delete(f"/v1/rules/{uuid}").status_code == 204
    assert client.get(f"/v1/rules/{uuid}").status_code == 404
    assert client.delete(f"/v1/rules/{uuid}").status_code == 404
    assert client.delete("/v1/rules").status_code == 204
    assert client.get("/v1/rules").json["rules"] == []


def test_duplicate_uuid_is_409(client):
    uuid = "0b5c8a8e-8d1f-4f0b-9c55-3d1c7c7c7c7c"
    assert client.post("/v1/rules", json={**RULE, "uuid": uuid}).status_code == 200
    r = client.post("/v1/rules", json={**RULE, "uuid": uuid})
    assert r.status_code == 409 and uuid in r.json["error"]["message"]


def test_invalid_is_400(client):
    r = client.post("/v1/rules", json={"actions": [{"action": "nope"}]})
    assert r.status_code == 400 and "actions[0]" in r.json["error"]["message"]
    assert client.get("/v1/rules").json["rules"] == []
