"""Hostile JSON on /v1/continue and /v1/rules: 400 naming the value, never a stuck record."""

import pytest

from discoverd import exception, processing, records
from discoverd.api import body
from tests.harness.discoverd_payloads import ramdisk_payload

MACS = ["52:54:00:00:00:01", "52:54:00:00:00:02"]
SURROGATE = "\ud800"


def joined(client, ironic, **kw):
    """An introspection started as Ironic's inspect interface does (no boot management)."""
    uuid = ironic.add_node("n1", tuple(MACS), **kw)
    assert client.post(f"/v1/introspection/{uuid}?manage_boot=false").status_code == 202
    return uuid


def raw_post(client, path, text):
    return client.post(path, data=text.encode(), content_type="application/json")


def assert_error_names(r, *words):
    assert r.status_code == 400, r.json
    message = r.json["error"]["message"]
    for word in words:
        assert word in message, message


@pytest.mark.parametrize("path", [("error",), ("inventory", "disks", 0, "name"),
                                  ("inventory", "bmc_address"),
                                  ("inventory", "bmc_v6address"),
                                  ("inventory", "system_vendor", "product_name")])
def test_lone_surrogate_is_400_and_ends_the_introspection(client, ironic, service, path):
    uuid = joined(client, ironic, properties={"root_device": {"name": "/dev/sda"}})
    payload = ramdisk_payload(MACS)
    target = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = SURROGATE
    r = client.post("/v1/continue", json=payload)  # JSON-escaped: "\ud800"
    where = "/".join(str(p) for p in path)
    assert_error_names(r, where, "surrogate")
    record = records.get(service.db, uuid)
    assert record.state == "error" and where in record.error
    # Never stuck: a new start is accepted at once, and so is its abort.
    assert client.post(f"/v1/introspection/{uuid}?manage_boot=false").status_code == 202
    assert client.post(f"/v1/introspection/{uuid}/abort").status_code == 202


def test_surrogate_in_a_key_is_refused(client, ironic, service):
    uuid = joined(client, ironic)
    payload = ramdisk_payload(MACS)
    payload["inventory"]["system_vendor"][SURROGATE] = "x"
    assert_error_names(client.post("/v1/continue", json=payload),
                       "a key in inventory/system_vendor")
    assert records.get(service.db, uuid).state == "error"


def test_refused_payload_of_unknown_node_changes_nothing(client, ironic, service):
    uuid = joined(client, ironic)
    payload = ramdisk_payload(["52:54:00:99:00:01"], error=SURROGATE)
    assert_error_names(client.post("/v1/continue", json=payload), "error")
    assert records.get(service.db, uuid).state == "waiting"


def test_processing_failure_with_unencodable_text_still_ends_in_error(ironic, service):
    """Behind the edge too: an exception whose text no database takes ends the record."""
    uuid = ironic.add_node("n1", tuple(MACS))
    from discoverd import node_control

    node_control.start(service, uuid, manage_boot=False)
    with pytest.raises(exception.HookFailed):
        processing.process(service, ramdisk_payload(MACS, error=SURROGATE))
    record = records.get(service.db, uuid)
    assert record.state == "error" and "\\ud800" in record.error


@pytest.mark.parametrize("url", ["/v1/continue", "/v1/rules"])
@pytest.mark.parametrize("depth", [body.MAX_DEPTH + 1, 990, 100_000])
def test_deep_nesting_is_400_naming_the_limit(client, ironic, service, url, depth):
    uuid = joined(client, ironic)
    r = raw_post(client, url, "[" * depth + "]" * depth)
    assert_error_names(r, f"limit of {body.MAX_DEPTH} levels")
    assert records.get(service.db, uuid).state == "waiting"


def test_deep_fact_value_ends_introspection_naming_path(client, ironic, service):
    uuid = joined(client, ironic)
    payload = ramdisk_payload(MACS)
    value: object = "x"
    for _ in range(300):
        value = [value]
    payload["data"].append(["cpu", "x", "deep", value])
    r = client.post("/v1/continue", json=payload)
    assert_error_names(r, "data/", "limit of 20 levels")
    assert records.get(service.db, uuid).state == "error"
    assert ironic.nodes[uuid]["properties"] == {}  # nothing written to Ironic


@pytest.mark.parametrize("text,words", [
    ('{"inventory": NaN}', ["inventory = nan", "finite"]),
    ('{"inventory": 1e400}', ["inventory", "finite"]),
    ('{"x": 1' + "0" * 30 + "}", ["x = 1", "64-bit"]),
    ('{"x": 1' + "0" * 5000 + "}", ["not valid JSON"]),
    ('{"x": "\\udfff"}', ["x", "surrogate"]),
    ('{"x": ["a\\u0000b"]}', ["x/0", "NUL"]),
    ('{"a\\u0000": 1}', ["a key in (body)", "NUL"]),
    ('{"x": ', ["not valid JSON"]),
])
@pytest.mark.parametrize("url", ["/v1/continue", "/v1/rules"])
def test_non_json_values_are_refused(client, url, text, words):
    assert_error_names(raw_post(client, url, text), *words)


def test_invalid_utf8_is_refused(client):
    r = client.post("/v1/continue", data=b'{"error": "\xff"}', content_type="application/json")
    assert_error_names(r, "not valid JSON")


def test_problem_is_iterative():
    value: object = 0
    for _ in range(200_000):
        value = {"a": value}
    assert "limit of 20 levels" in body.problem(value)


@pytest.mark.parametrize("path,value,words", [
    (("inventory", "disks", 0, "size"), 10 ** 40, ["inventory/disks/0/size", "64-bit"]),
    (("inventory", "disks", 0, "size"), 2 ** 61, ["inventory/disks/0/size", "maximum"]),
    (("inventory", "disks", 0, "size"), -1, ["inventory/disks/0/size", "minimum"]),
    (("inventory", "disks", 0, "size"), 1.5, ["inventory/disks/0/size", "integer"]),
    (("inventory", "cpu", "count"), 0, ["inventory/cpu/count", "minimum"]),
    (("inventory", "cpu", "count"), 10 ** 6, ["inventory/cpu/count", "maximum"]),
    (("inventory", "memory", "physical_mb"), 2 ** 40, ["inventory/memory/physical_mb"]),
    (("inventory", "memory", "total"), 2 ** 60, ["inventory/memory/total", "maximum"]),
    (("inventory", "disks"), [{"name": "sda", "size": 1}] * 5000,
     ["inventory/disks", "too long"]),
    (("inventory", "bmc_address"), "1" * 300, ["inventory/bmc_address", "too long"]),
    (("error",), "e" * 5000, ["error", "too long"]),
])
def test_out_of_range_values_are_refused_by_name(client, ironic, service, path, value,
                                                 words):
    uuid = joined(client, ironic)
    payload = ramdisk_payload(MACS)
    target = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    r = client.post("/v1/continue", json=payload)
    assert_error_names(r, *words)
    assert len(r.json["error"]["message"]) < 1000
    assert records.get(service.db, uuid).state == "error"
    assert ironic.nodes[uuid]["properties"] == {}  # nothing written to Ironic


def test_too_many_interfaces_are_refused(client, ironic, service):
    uuid = joined(client, ironic)
    payload = ramdisk_payload(MACS)
    payload["inventory"]["interfaces"] += [{"name": "x", "mac_address": None}] * 1100
    assert_error_names(client.post("/v1/continue", json=payload), "inventory/interfaces")
    assert records.get(service.db, uuid).state == "error"


@pytest.mark.parametrize("ident", ["x%00y", "x" * 5000, "not-a-uuid", "%ED%A0%80"])
@pytest.mark.parametrize("method", ["get", "delete"])
def test_rule_idents_that_are_not_uuids_are_404(client, method, ident):
    r = getattr(client, method)(f"/v1/rules/{ident}")
    assert r.status_code == 404 and "was not found" in r.json["error"]["message"], r.json
