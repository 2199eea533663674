"""Client-started introspection of nodes with the ``discoverd`` inspect interface.

They go through Ironic's inspect flow (Ironic writes the PXE config and boots
them); Ironic's interface then calls back with ``manage_boot=false``, which joins
the introspection already recorded instead of restarting it.
"""

import datetime

import pytest

from discoverd import exception, node_control, records
from discoverd.db.models import Introspection
from tests.harness.discoverd_payloads import ramdisk_payload

MACS = ("52:54:00:00:00:11",)


def test_start_puts_node_in_ironic_inspect_flow(client, ironic, service):
    uuid = ironic.add_node("n1", MACS, bmc="10.0.0.1", inspect_interface="discoverd")
    assert client.post("/v1/introspection/n1").status_code == 202
    assert ironic.calls == [("set_provision_state", uuid, "inspect")]
    record = records.get(service.db, uuid)
    assert record.state == "waiting" and record.manage_boot is False
    # Ironic's inspect interface calls back: accepted, record kept as it is.
    r = client.post(f"/v1/introspection/{uuid}?manage_boot=false")
    assert r.status_code == 202
    kept = records.get(service.db, uuid)
    assert (kept.state, kept.started_at) == ("waiting", record.started_at)
    assert record.awaiting_join and not kept.awaiting_join
    assert [c[0] for c in ironic.calls] == ["set_provision_state"]
    r = client.post("/v1/continue", json=ramdisk_payload(list(MACS), bmc_address="10.0.0.1"))
    assert r.status_code == 200 and r.json == {"uuid": uuid}
    assert ("set_power_state", uuid, "power off") not in ironic.calls  # Ironic powers off


def test_callback_while_still_starting_is_joined(client, ironic, service):
    uuid = ironic.add_node("n1", MACS, inspect_interface="discoverd")
    seen = []

    def conductor(node):  # Ironic calls back before the provision call returned
        seen.append(records.get(service.db, node).state)
        node_control.start(service, node, manage_boot=False)

    ironic.on_provision = conductor
    assert client.post("/v1/introspection/n1").status_code == 202
    assert seen == ["starting"]
    assert records.get(service.db, uuid).state == "waiting"


def test_enroll_node_refused_with_its_state(client, ironic, service):
    uuid = ironic.add_node("n1", MACS, inspect_interface="discoverd",
                           provision_state="enroll")
    r = client.post("/v1/introspection/n1")
    assert r.status_code == 409
    message = r.json["error"]["message"]
    assert "'enroll'" in message and "manageable" in message and uuid in message
    assert ironic.calls == []
    with pytest.raises(exception.IntrospectionNotFound):
        records.get(service.db, uuid)


def test_ironic_refusal_ends_in_error(client, ironic):
    uuid = ironic.add_node("n1", MACS, inspect_interface="discoverd")
    ironic.fail["set_provision_state"] = exception.IronicError(
        call="set_node_provision_state", node=uuid, reason="deploy_kernel is missing")
    assert client.post("/v1/introspection/n1").status_code == 202
    status = client.get(f"/v1/introspection/{uuid}").json
    assert status["state"] == "error" and "deploy_kernel" in status["error"]


def test_other_inspect_interfaces_keep_pxe_and_reboot(client, ironic):
    uuid = ironic.add_node("n1", MACS, inspect_interface="no-inspect")
    assert client.post("/v1/introspection/n1").status_code == 202
    assert ironic.calls == [("set_boot_device", uuid, "pxe"),
                            ("set_power_state", uuid, "power on")]


def test_callback_after_finish_starts_anew(client, ironic, service):
    uuid = ironic.add_node("n1", MACS)
    client.post(f"/v1/introspection/{uuid}?manage_boot=false")
    client.post("/v1/continue", json=ramdisk_payload(list(MACS)))
    assert records.get(service.db, uuid).state == "finished"
    assert client.post(f"/v1/introspection/{uuid}?manage_boot=false").status_code == 202
    assert records.get(service.db, uuid).state == "waiting"


def test_abort_before_ironic_joins_is_not_undone(client, ironic, service):
    uuid = ironic.add_node("n1", MACS, inspect_interface="discoverd")
    assert client.post("/v1/introspection/n1").status_code == 202
    assert client.post(f"/v1/introspection/{uuid}/abort").status_code == 202
    # Ironic's inspect interface calls back after the abort: refused, record kept.
    r = client.post(f"/v1/introspection/{uuid}?manage_boot=false")
    assert r.status_code == 409
    assert "Canceled by operator" in r.json["error"]["message"]
    record = records.get(service.db, uuid)
    assert (record.state, record.error) == ("error", "Canceled by operator")
    # Answered once: an operator's later inspection through Ironic starts anew.
    assert client.post(f"/v1/introspection/{uuid}?manage_boot=false").status_code == 202
    assert records.get(service.db, uuid).state == "waiting"


def test_abort_after_join_ends_in_error_for_ironic(client, ironic, service):
    uuid = ironic.add_node("n1", MACS, inspect_interface="discoverd")
    client.post("/v1/introspection/n1")
    assert client.post(f"/v1/introspection/{uuid}?manage_boot=false").status_code == 202
    assert client.post(f"/v1/introspection/{uuid}/abort").status_code == 202
    status = client.get(f"/v1/introspection/{uuid}").json
    assert status["finished"] and status["error"] == "Canceled by operator"


def test_refused_ironic_flow_does_not_refuse_a_later_join(client, ironic, service):
    uuid = ironic.add_node("n1", MACS, inspect_interface="discoverd")
    ironic.fail["set_provision_state"] = exception.IronicError(
        call="set_node_provision_state", node=uuid, reason="deploy_kernel is missing")
    client.post("/v1/introspection/n1")
    del ironic.fail["set_provision_state"]
    assert client.post(f"/v1/introspection/{uuid}?manage_boot=false").status_code == 202
    assert records.get(service.db, uuid).state == "waiting"


def test_stale_pending_join_starts_anew(client, ironic, service):
    uuid = ironic.add_node("n1", MACS, inspect_interface="discoverd")
    client.post("/v1/introspection/n1")
    client.post(f"/v1/introspection/{uuid}/abort")
    service.timeout = 1
    with service.db.session() as session:  # started long before the timeout
        record = session.get(Introspection, uuid)
        record.started_at -= datetime.timedelta(seconds=10)
    assert client.post(f"/v1/introspection/{uuid}?manage_boot=false").status_code == 202
