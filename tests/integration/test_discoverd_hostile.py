# ruff: noqa: F811 - fixtures imported from tests.harness.discoverd_servers are used by name
"""Hostile input to a real discoverd with a real Ironic 39: 4xx by name, never stuck.

What issue 9 found as a hostile client (lone surrogates, deep nesting, huge numbers,
rules and idents Ironic refuses, basic-auth corner cases), replayed against the real
parts, plus a bounded hypothesis run of the hostile strategies.
"""

import base64
import random
import time

import bcrypt
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discoverd.api.body import MAX_DEPTH
from tests.harness.discoverd_payloads import ramdisk_payload
from tests.harness.discoverd_servers import (  # noqa: F401 - fixtures
    baremetal,
    discoverd_factory,
    enroll,
    ironic,
)
from tests.harness.hostile_payloads import (
    Deep,
    dumps,
    hostile_payload,
    properties_in_range,
    rules,
)
from tests.harness.postgres import postgres  # noqa: F401 - fixture

_PREFIX = random.randrange(256)
_counter = iter(range(1, 10_000))
JSON = {"Content-Type": "application/json"}
#: Nesting a fact value or a rule value may have (they sit 3 levels deep).
VALUE_DEPTH = MAX_DEPTH - 3


def new_node(baremetal, **properties):
    """A manageable node with one port; returns (node, mac)."""
    n = next(_counter)
    mac = f"52:54:01:{_PREFIX:02x}:{n // 256:02x}:{n % 256:02x}"
    node = enroll(baremetal, f"hostile-{n}-{time.time_ns()}", [mac], f"10.12.{n % 250}.1")
    if properties:
        baremetal.patch_node(node.id, [{"op": "add", "path": f"/properties/{k}", "value": v}
                                       for k, v in properties.items()])
    return node, mac


def post(url, body, **kw):
    return requests.post(url, data=dumps(body), headers=JSON, timeout=30, **kw)


def join(server, node):
    """Start as Ironic's inspect interface does: no boot management."""
    r = requests.post(f"{server.url}/v1/introspection/{node.id}?manage_boot=false",
                      timeout=30)
    assert r.status_code == 202, r.text


def status(server, node):
    return requests.get(f"{server.url}/v1/introspection/{node.id}", timeout=30).json()


@pytest.fixture
def server(discoverd_factory):
    return discoverd_factory()


@pytest.mark.parametrize("where", ["error", "disk name"])
def test_lone_surrogate_is_400_and_never_wedges(server, baremetal, where):
    node, mac = new_node(baremetal, root_device={"name": "/dev/sda"})
    join(server, node)
    payload = ramdisk_payload([mac])
    if where == "error":
        payload["error"], field = "\ud800", "error"
    else:
        payload["inventory"]["disks"][0]["name"], field = "\ud800", "inventory/disks/0/name"
    r = post(f"{server.url}/v1/continue", payload)
    assert r.status_code == 400 and field in r.json()["error"]["message"], r.text
    st_ = status(server, node)
    assert st_["state"] == "error" and field in st_["error"]
    join(server, node)  # a new start at once, not 409 until the timeout
    r = requests.post(f"{server.url}/v1/introspection/{node.id}/abort", timeout=30)
    assert r.status_code == 202, r.text


@pytest.mark.parametrize("field", ["bmc_address", "bmc_v6address"])
def test_surrogate_bmc_address_is_400(server, baremetal, field):
    node, mac = new_node(baremetal)
    join(server, node)
    payload = ramdisk_payload([mac])
    payload["inventory"][field] = "10.0.0.\udc80"
    r = post(f"{server.url}/v1/continue", payload)
    assert r.status_code == 400 and f"inventory/{field}" in r.json()["error"]["message"]
    assert status(server, node)["state"] == "error"


@pytest.mark.parametrize("path", ["/v1/continue", "/v1/rules"])
def test_990_levels_of_nesting_is_400(server, path):
    r = requests.post(f"{server.url}{path}", data="[" * 990 + "]" * 990, headers=JSON,
                      timeout=30)
    assert r.status_code == 400 and f"limit of {MAX_DEPTH}" in r.json()["error"]["message"]


def test_deepest_accepted_fact_is_stored_by_ironic_one_more_is_refused(server, baremetal):
    """The depth bound keeps what discoverd writes within Ironic's own JSON depth limit."""
    node, mac = new_node(baremetal)
    join(server, node)
    payload = ramdisk_payload([mac])
    payload["data"].append(["cpu", "x", "deep", Deep(VALUE_DEPTH)])
    r = post(f"{server.url}/v1/continue", payload)
    assert r.status_code == 200, r.text
    stored = baremetal.get_node(node.id).extra["hardware"]["cpu"]["x"]["deep"]
    for _ in range(VALUE_DEPTH):
        stored = stored[0]
    assert stored == "x"
    join(server, node)
    payload["data"][-1][3] = Deep(VALUE_DEPTH + 1)
    r = post(f"{server.url}/v1/continue", payload)
    assert r.status_code == 400 and "data/" in r.json()["error"]["message"], r.text
    assert status(server, node)["state"] == "error"


def test_bad_rules_are_400_and_the_deepest_accepted_rule_is_written(server, baremetal):
    rules_url = f"{server.url}/v1/rules"
    for body in ({"conditions": [{"op": ["eq"], "field": "x", "value": 1}],
                  "actions": [{"action": "fail", "message": "x"}]},
                 {"conditions": [{"op": {"eq": 1}, "field": "x", "value": 1}],
                  "actions": [{"action": "fail", "message": "x"}]},
                 {"actions": [{"action": "set-attribute", "path": "/driver_info/../x",
                               "value": 1}]},
                 {"actions": [{"action": "add-trait", "name": "not a trait"}]}):
        r = post(rules_url, body)
        assert r.status_code == 400 and "Invalid input" in r.json()["error"]["message"], r.text
    assert requests.get(rules_url, timeout=30).json()["rules"] == []
    deepest = {"actions": [{"action": "extend-attribute", "path": "/extra/a/b/c/d/e",
                            "value": Deep(VALUE_DEPTH)}]}
    assert post(rules_url, deepest).status_code in (200, 201)
    try:
        node, mac = new_node(baremetal)
        join(server, node)
        r = post(f"{server.url}/v1/continue", ramdisk_payload([mac]))
        assert r.status_code == 200, r.text  # Ironic took the patch
        assert baremetal.get_node(node.id).extra["a"]["b"]["c"]["d"]["e"]
    finally:
        requests.delete(rules_url, timeout=30)


BAD_IDENTS = ["node%20x", "node%00x", "x" * 5000, "node%0Ax", "node%22x", "node'x"]


@pytest.mark.parametrize("ident", BAD_IDENTS)
def test_idents_ironic_rejects_are_4xx_on_every_node_endpoint(server, ident):
    base = f"{server.url}/v1/introspection/{ident}"
    for method, url in (("post", base), ("get", base), ("post", f"{base}/abort"),
                        ("get", f"{base}/data"), ("get", f"{base}/data/unprocessed"),
                        ("post", f"{base}/data/unprocessed")):
        r = requests.request(method, url, timeout=30)
        assert r.status_code in (400, 404), (method, url[:80], r.status_code, r.text[:200])
        assert r.json()["error"]["message"]


def test_unknown_node_name_is_404(server):
    r = requests.get(f"{server.url}/v1/introspection/no-such-node-{time.time_ns()}",
                     timeout=30)
    assert r.status_code == 404, r.text


@pytest.mark.parametrize("size,words", [(10 ** 40, "64-bit"), (2 ** 61, "maximum")])
def test_huge_disk_never_reaches_ironic(server, baremetal, size, words):
    node, mac = new_node(baremetal, local_gb=255)
    join(server, node)
    payload = ramdisk_payload([mac])
    payload["inventory"]["disks"][1]["size"] = size
    r = post(f"{server.url}/v1/continue", payload)
    assert r.status_code == 400, r.text
    assert "inventory/disks/1/size" in r.json()["error"]["message"] and words in r.text
    assert baremetal.get_node(node.id).properties["local_gb"] == 255


def test_http_basic_long_password_and_lower_case_scheme(discoverd_factory, tmp_path):
    users = tmp_path / "htpasswd"
    users.write_text("admin:" + bcrypt.hashpw(b"secret", bcrypt.gensalt(4)).decode() + "\n")
    server = discoverd_factory(auth_strategy="http_basic",
                               http_basic_auth_user_file=str(users))
    url = f"{server.url}/v1/introspection"
    r = requests.get(url, auth=("admin", "x" * 73), timeout=10)
    assert r.status_code == 401 and "invalid user name or password" in r.text
    token = base64.b64encode(b"admin:secret").decode()
    for scheme in ("basic", "BASIC", "Basic"):
        r = requests.get(url, headers={"Authorization": f"{scheme} {token}"}, timeout=10)
        assert r.status_code == 200, (scheme, r.text)


def test_nul_characters_on_postgresql(discoverd_factory, baremetal, postgres):
    """PostgreSQL text cannot hold NUL: refused by name at the edge, never a stuck record."""
    server = discoverd_factory(database__connection=postgres.create_database())
    node, mac = new_node(baremetal)
    join(server, node)
    r = post(f"{server.url}/v1/continue", ramdisk_payload([mac], error="disk\x00failed"))
    assert r.status_code == 400 and "NUL" in r.json()["error"]["message"], r.text
    assert status(server, node)["state"] == "error"
    r = post(f"{server.url}/v1/rules", {"description": "a\x00b", "actions": [
        {"action": "set-attribute", "path": "/extra/x", "value": 1}]})
    assert r.status_code == 400 and "description" in r.json()["error"]["message"], r.text
    for method in ("get", "delete"):
        r = requests.request(method, f"{server.url}/v1/rules/a%00b", timeout=30)
        assert r.status_code == 404, r.text


FUZZ = settings(max_examples=25, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def test_hostile_payloads_against_real_ironic(server, baremetal):
    """Bounded run: never 5xx, never left processing, Ironic never given wild values."""
    node, mac = new_node(baremetal)

    @FUZZ
    @given(payload=hostile_payload([mac]))
    def run(payload):
        join(server, node)
        r = post(f"{server.url}/v1/continue", payload)
        assert r.status_code < 500, r.text
        assert status(server, node)["state"] != "processing"
        assert properties_in_range(baremetal.get_node(node.id).properties)

    run()


def test_hostile_rules_against_real_ironic(server, baremetal):
    """Accepted rules never make Ironic refuse a payload's write (no 502 afterwards)."""
    node, mac = new_node(baremetal)
    rules_url = f"{server.url}/v1/rules"

    @FUZZ
    @given(body=rules, unique=st.integers())
    def run(body, unique):
        r = post(rules_url, body)
        assert r.status_code in (200, 201, 400), r.text
        if r.status_code == 400:
            return
        try:
            join(server, node)
            result = post(f"{server.url}/v1/continue", ramdisk_payload([mac]))
            assert result.status_code in (200, 400), result.text
            if result.status_code == 400:
                assert "introspection rule" in result.json()["error"]["message"]
            assert status(server, node)["state"] in ("finished", "error")
        finally:
            requests.delete(rules_url, timeout=30)

    run()


def test_processing_failure_text_with_nul_ends_in_error_on_postgresql(postgres):
    """Behind the edge too: a failure whose text PostgreSQL refuses still ends the record."""
    from discoverd import exception, node_control, processing, records
    from discoverd.app import create_app, get_service
    from discoverd.conf import new_conf
    from tests.harness.fake_ironic import FakeIronic

    conf = new_conf([])
    conf.set_override("connection", postgres.create_database(), group="database")
    fake = FakeIronic()  # only the database is under test here
    service = get_service(create_app(conf, ironic=fake))
    try:
        macs = ["52:54:00:00:00:01"]
        uuid = fake.add_node("n1", tuple(macs))
        node_control.start(service, uuid, manage_boot=False)
        with pytest.raises(exception.HookFailed):
            processing.process(service, ramdisk_payload(macs, error="disk\x00failed"))
        record = records.get(service.db, uuid)
        assert record.state == "error" and "disk\\x00failed" in record.error
    finally:
        service.db.dispose()
