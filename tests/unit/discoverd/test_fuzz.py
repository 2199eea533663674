"""Property-based fuzzing of /v1/continue and /v1/rules: bad input -> 4xx, never stuck."""

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discoverd import lookup, records
from tests.harness.discoverd_payloads import ramdisk_payload
from tests.harness.hostile_payloads import (
    PATHS,
    Deep,
    dumps,
    hostile_payload,
    json_values,
    mutate,
    properties_in_range,
    rules,
)

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
NODE_MACS = ("52:54:00:12:34:01", "52:54:00:12:34:02")

def started(client, ironic):
    uuid = ironic.add_node("fuzz", NODE_MACS)
    assert client.post(f"/v1/introspection/{uuid}").status_code == 202
    return uuid


def assert_untouched(client, service, uuid):
    assert records.get(service.db, uuid).state == "waiting"
    assert client.get(f"/v1/introspection/{uuid}/data/unprocessed").status_code == 404


@FUZZ
@given(body=json_values)
def test_continue_arbitrary_json(client, ironic, service, body):
    uuid = ironic.nodes and next(iter(ironic.nodes)) or started(client, ironic)
    r = client.post("/v1/continue", json=body)
    assert 400 <= r.status_code < 500, r.json
    assert "message" in r.json["error"]
    assert_untouched(client, service, uuid)


@FUZZ
@given(path=st.sampled_from(PATHS), value=json_values)
def test_continue_mutated_payload_of_unknown_node(client, ironic, service, path, value):
    uuid = ironic.nodes and next(iter(ironic.nodes)) or started(client, ironic)
    payload = mutate(ramdisk_payload(["52:54:00:99:00:01"]), path, value)
    r = client.post("/v1/continue", json=payload)
    assert 400 <= r.status_code < 500, r.json
    assert_untouched(client, service, uuid)


@FUZZ
@given(path=st.sampled_from(PATHS[4:]), value=json_values)
def test_continue_mutated_payload_never_500(client, ironic, service, path, value):
    """Data that reaches the hooks is processed or refused, never a crash."""
    uuid = ironic.nodes and next(iter(ironic.nodes)) or started(client, ironic)
    client.post(f"/v1/introspection/{uuid}?manage_boot=0")
    payload = mutate(ramdisk_payload(list(NODE_MACS)), path, value)
    r = client.post("/v1/continue", json=payload)
    assert r.status_code in (200, 400, 404), r.json
    state = records.get(service.db, uuid).state
    # Refused data that names the node ends its introspection: never left waiting.
    assert state == ("finished" if r.status_code == 200 else
                     "waiting" if r.status_code == 404 else "error")


conditions = st.fixed_dictionaries(
    {"op": st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge", "in-net", "matches",
                            "contains", "is-empty", "bogus"]),
     "field": st.one_of(st.sampled_from(["memory_mb", "node://properties.cpus", "a[*].b",
                                         "ftp://x", ""]), json_values)},
    optional={"value": json_values, "multiple": st.sampled_from(["any", "all", "x"]),
              "invert": json_values})
actions = st.one_of(
    st.fixed_dictionaries({"action": st.sampled_from(
        ["fail", "set-attribute", "set-capability", "extend-attribute", "add-trait",
         "remove-trait", "nope"])},
        optional={"message": json_values, "path": json_values, "value": json_values,
                  "name": json_values, "unique": json_values}),
    json_values)


@FUZZ
@given(body=st.one_of(json_values, st.fixed_dictionaries(
    {"conditions": st.lists(conditions, max_size=3), "actions": st.lists(actions, max_size=3)},
    optional={"uuid": json_values, "description": json_values})))
def test_rules_fuzz(client, body):
    before = client.get("/v1/rules").json["rules"]
    r = client.post("/v1/rules", json=body)
    if r.status_code == 200:
        client.delete(f"/v1/rules/{r.json['uuid']}")
        return
    assert 400 <= r.status_code < 500, r.json
    assert "message" in r.json["error"]
    assert client.get("/v1/rules").json["rules"] == before


@FUZZ
@given(body=st.fixed_dictionaries(
    {"conditions": st.lists(conditions, max_size=3),
     "actions": st.just([{"action": "set-attribute", "path": "/extra/x", "value": 1}])}))
def test_accepted_rules_never_crash_processing(client, ironic, service, body):
    uuid = ironic.nodes and next(iter(ironic.nodes)) or started(client, ironic)
    r = client.post("/v1/rules", json=copy.deepcopy(body))
    if r.status_code != 200:
        return
    client.post(f"/v1/introspection/{uuid}?manage_boot=0")
    result = client.post("/v1/continue", json=ramdisk_payload(list(NODE_MACS)))
    client.delete("/v1/rules")
    assert result.status_code == 200, result.json


def _has_deep(value, depth: int) -> bool:
    if isinstance(value, Deep):
        return value.depth > depth
    if isinstance(value, dict):
        return any(_has_deep(v, depth) for v in value.values())
    if isinstance(value, list):
        return any(_has_deep(v, depth) for v in value)
    return False


def _post(client, url, body):
    return client.post(url, data=dumps(body), content_type="application/json")


@FUZZ
@given(payload=hostile_payload(list(NODE_MACS)))
def test_hostile_payload_never_5xx_never_stuck(client, ironic, service, payload):
    """Surrogates, deep nesting, huge numbers, wrong types: 4xx naming the value; the
    record ends finished or error (waiting only if the data cannot name the node)."""
    uuid = ironic.nodes and next(iter(ironic.nodes)) or started(client, ironic)
    client.post(f"/v1/introspection/{uuid}?manage_boot=0")
    r = _post(client, "/v1/continue", payload)
    assert r.status_code in (200, 400, 404), r.json
    if r.status_code != 200:
        assert r.json["error"]["message"]
    state = records.get(service.db, uuid).state
    assert state != "processing"
    if r.status_code == 200:
        assert state == "finished"
    elif state == "waiting":  # refused without naming the node: nothing to end
        names_node = {v for _, v in lookup.lookup_keys(payload)} & set(NODE_MACS)
        assert not names_node or _has_deep(payload, 500), r.json
    else:
        assert state == "error" and r.status_code == 400
    assert properties_in_range(ironic.nodes[uuid]["properties"])


@FUZZ
@given(body=rules)
def test_hostile_rules_never_5xx_and_never_break_processing(client, ironic, service, body):
    uuid = ironic.nodes and next(iter(ironic.nodes)) or started(client, ironic)
    r = _post(client, "/v1/rules", body)
    assert r.status_code in (200, 201, 400), r.json
    if r.status_code == 400:
        assert r.json["error"]["message"]
        assert client.get("/v1/rules").json["rules"] == []
        return
    client.post(f"/v1/introspection/{uuid}?manage_boot=0")
    result = client.post("/v1/continue", json=ramdisk_payload(list(NODE_MACS)))
    client.delete("/v1/rules")
    # An accepted rule may fail the introspection by name (fail action, regex timeout),
    # never crash it nor make Ironic refuse the write.
    assert result.status_code in (200, 400), result.json
    if result.status_code == 400:
        assert "introspection rule" in result.json["error"]["message"], result.json
    assert records.get(service.db, uuid).state in ("finished", "error")
