"""Auto-discovery: unknown machines enrolled when [discovery] enroll_unknown is on."""

import pytest

from discoverd.app import create_app, get_service
from tests.harness.discoverd_payloads import ramdisk_payload

MACS = ["52:54:00:0d:00:01", "52:54:00:0d:00:02"]
RULE = {"description": "tag discovered machines",
        "conditions": [{"op": "eq", "field": "data://auto_discovered", "value": True}],
        "actions": [{"action": "set-attribute", "path": "/extra/discovered",
                     "value": "yes"}]}


@pytest.fixture
def discovering(conf, ironic):
    conf.set_override("enroll_unknown", True, group="discovery")
    conf.set_override("enroll_node_fields", {"resource_class": "baremetal"},
                      group="discovery")
    app = create_app(conf, ironic=ironic)
    yield app.test_client()
    get_service(app).db.dispose()


def test_unknown_machine_is_enrolled_and_processed(discovering, ironic):
    assert discovering.post("/v1/rules", json=RULE).status_code in (200, 201)
    r = discovering.post("/v1/continue",
                         json=ramdisk_payload(MACS, bmc_address="10.9.8.7", cpus=6))
    assert r.status_code == 200, r.json
    uuid = r.json["uuid"]
    node = ironic.nodes[uuid]
    assert node["driver"] == "tripleo-ipmi" and node["resource_class"] == "baremetal"
    assert node["driver_info"] == {"ipmi_address": "10.9.8.7"}
    assert node["properties"]["cpus"] == 6
    assert node["extra"]["discovered"] == "yes"  # the rule saw auto_discovered
    assert [p["address"] for p in ironic.ports.values() if p["node"] == uuid] == [MACS[0]]
    status = discovering.get(f"/v1/introspection/{uuid}").json
    assert status["state"] == "finished" and status["error"] is None
    data = discovering.get(f"/v1/introspection/{uuid}/data").json
    assert data["auto_discovered"] is True


def test_known_mac_is_not_enrolled_again(discovering, ironic):
    known = ironic.add_node("n1", (MACS[1],))
    r = discovering.post("/v1/continue", json=ramdisk_payload(MACS))
    assert r.status_code == 404
    assert known in r.json["error"]["message"] and "introspect that node" in \
        r.json["error"]["message"]
    assert len(ironic.nodes) == 1


def test_off_by_default(client, ironic):
    r = client.post("/v1/continue", json=ramdisk_payload(MACS))
    assert r.status_code == 404 and not ironic.nodes
