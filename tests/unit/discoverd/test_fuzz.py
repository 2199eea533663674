"""Property-based fuzzing of /v1/continue and /v1/rules: bad input -> 4xx, no change."""

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discoverd import introspections
from tests.unit.discoverd.payloads import ramdisk_payload

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
NODE_MACS = ("52:54:00:12:34:01", "52:54:00:12:34:02")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                 max_size=4),
    max_leaves=15)

PATHS = [("inventory",), ("inventory", "interfaces"), ("inventory", "interfaces", 0),
         ("inventory", "interfaces", 0, "mac_address"), ("inventory", "cpu"),
         ("inventory", "cpu", "count"), ("inventory", "cpu", "flags"), ("inventory", "memory"),
         ("inventory", "memory", "physical_mb"), ("inventory", "disks"),
         ("inventory", "disks", 0, "size"), ("inventory", "bmc_address"),
         ("inventory", "boot"), ("data",), ("data", 0), ("boot_interface",), ("error",),
         ("logs",)]


def mutate(payload, path, value):
    target = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return payload


def started(client, ironic):
    uuid = ironic.add_node("fuzz", NODE_MACS)
    assert client.post(f"/v1/introspection/{uuid}").status_code == 202
    return uuid


def assert_untouched(client, service, uuid):
    assert introspections.get(service.db, uuid).state == "waiting"
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
    state = introspections.get(service.db, uuid).state
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
