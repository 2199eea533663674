"""Leases on records being processed: claim, renew, expiry, take-over and resume."""

import datetime

import pytest
from sqlalchemy import update

from discoverd import exception, lease_keeper, leases, processing, records
from discoverd.db.models import Introspection
from discoverd.state import ABORTED, Event, State
from tests.harness.discoverd_payloads import ramdisk_payload

MACS = ["52:54:00:00:00:31"]


def _waiting(service, ironic) -> str:
    uuid = ironic.add_node("n1", tuple(MACS), bmc="10.0.0.31")
    records.start(service.db, uuid, False, {"mac": MACS})
    records.transition(service.db, uuid, Event.wait)
    return uuid


def _age(service, uuid: str, seconds: float) -> None:
    """Make the lease of ``uuid`` look ``seconds`` old (its owner stopped renewing)."""
    with service.db.session() as session:
        session.execute(update(Introspection.__table__)
                        .where(Introspection.__table__.c.uuid == uuid)
                        .values(heartbeat_at=datetime.datetime.now(datetime.UTC)
                                .replace(tzinfo=None) - datetime.timedelta(seconds=seconds)))


def test_claim_stores_payload_with_the_state_change(service, ironic):
    uuid = _waiting(service, ironic)
    payload = ramdisk_payload(MACS)
    record = leases.claim(service.db, uuid, Event.process, "me", 15, payload=payload)
    assert (record.state, record.owner) == ("processing", "me")
    assert leases.stored_payload(service.db, uuid) == payload


def test_live_lease_is_held_expired_one_taken_over(service, ironic):
    uuid = _waiting(service, ironic)
    leases.claim(service.db, uuid, Event.process, "a", 15, payload={"first": 1})
    with pytest.raises(exception.LeaseHeld) as err:
        leases.claim(service.db, uuid, Event.process, "b", 15, payload={"second": 2})
    assert err.value.code == 409 and "process a (" in str(err.value)
    assert leases.stored_payload(service.db, uuid) == {"first": 1}
    assert leases.renew(service.db, "a") == 1 and leases.expired(service.db, 15) == []
    _age(service, uuid, 20)
    assert leases.expired(service.db, 15) == [uuid]
    record = leases.claim(service.db, uuid, Event.process, "b", 15, payload={"second": 2})
    assert (record.state, record.owner) == ("processing", "b")
    assert leases.stored_payload(service.db, uuid) == {"second": 2}
    # The first owner's late end is refused: it lost the lease.
    with pytest.raises(exception.LeaseLost):
        records.transition(service.db, uuid, Event.finish, owner="a")
    done = records.transition(service.db, uuid, Event.finish, owner="b")
    assert (done.state, done.owner, done.heartbeat_at) == ("finished", None, None)


def test_data_of_an_earlier_introspection_is_not_resumed(service, ironic):
    uuid = _waiting(service, ironic)
    records.store_data(service.db, uuid, {"old": True}, processed=False)
    records.start(service.db, uuid, False, {"mac": MACS})  # a new introspection
    assert leases.stored_payload(service.db, uuid) is None


def test_keeper_resumes_processing_left_by_a_dead_process(service, ironic):
    uuid = _waiting(service, ironic)
    payload = ramdisk_payload(MACS, bmc_address="10.0.0.31", cpus=12)
    leases.claim(service.db, uuid, Event.process, "dead-process", 15, payload=payload)
    assert lease_keeper.run_once(service, wait=True) == []  # alive for all we know
    _age(service, uuid, service.lease_time + 1)
    assert lease_keeper.run_once(service, wait=True) == [uuid]
    record = records.get(service.db, uuid)
    assert record.state == "finished" and record.owner is None
    assert ironic.nodes[uuid]["properties"]["cpus"] == 12


def test_resume_without_stored_data_ends_in_error(service, ironic):
    uuid = _waiting(service, ironic)
    records.transition(service.db, uuid, Event.process)  # no payload stored
    _age(service, uuid, service.lease_time + 1)
    assert processing.resume(service, uuid)
    record = records.get(service.db, uuid)
    assert record.state == "error" and "no ramdisk data" in record.error


def test_same_payload_posted_again_while_processing_is_accepted(client, service, ironic):
    uuid = _waiting(service, ironic)
    payload = ramdisk_payload(MACS, bmc_address="10.0.0.31")
    leases.claim(service.db, uuid, Event.process, "other-live-process", 15, payload=payload)
    r = client.post("/v1/continue", json=payload)
    assert r.status_code == 200 and r.json == {"uuid": uuid}
    assert ironic.calls == []  # processed once, by the owner
    r = client.post("/v1/continue", json=ramdisk_payload(MACS, bmc_address="10.0.0.31",
                                                          cpus=99))
    assert r.status_code == 409 and "other-live-process" in r.json["error"]["message"]


def test_store_data_off_keeps_raw_data_only_while_processing(service, ironic):
    service.store_data = False
    uuid = _waiting(service, ironic)
    processing.process(service, ramdisk_payload(MACS, bmc_address="10.0.0.31"))
    assert records.get(service.db, uuid).state == "finished"
    with pytest.raises(exception.DataNotFound):
        records.get_data(service.db, uuid, processed=False)


def _starting(service, ironic, owner: str) -> str:
    uuid = ironic.add_node("n1", tuple(MACS), bmc="10.0.0.31")
    records.start(service.db, uuid, True, {"mac": MACS}, owner=owner)
    return uuid


def test_start_left_by_a_dead_process_ends_in_error(service, ironic):
    uuid = _starting(service, ironic, "dead-process")
    assert lease_keeper.run_once(service, wait=True) == []  # alive for all we know
    assert records.get(service.db, uuid).state == "starting"
    _age(service, uuid, service.lease_time + 1)
    assert lease_keeper.run_once(service, wait=True) == [uuid]
    record = records.get(service.db, uuid)
    assert record.state == "error" and record.owner is None
    assert "dead-process stopped while starting" in record.error
    # Ended: a new start is accepted at once.
    records.start(service.db, uuid, True, {"mac": MACS}, owner=service.owner)
    assert records.get(service.db, uuid).state == "starting"


def test_start_of_a_live_process_is_renewed_not_ended(service, ironic):
    uuid = _starting(service, ironic, service.owner)
    _age(service, uuid, service.lease_time + 1)
    assert lease_keeper.run_once(service, wait=True) == []  # renewed first
    record = records.get(service.db, uuid)
    assert (record.state, record.owner) == ("starting", service.owner)
    # Moving on releases the lease.
    record = records.transition(service.db, uuid, Event.wait)
    assert (record.owner, record.heartbeat_at) == (None, None)


def test_abort_left_by_a_dead_process_is_finished(service, ironic):
    uuid = _waiting(service, ironic)
    records.transition(service.db, uuid, Event.abort)
    leases.hold(service.db, uuid, State.aborting, "dead-process")
    _age(service, uuid, service.lease_time + 1)
    assert lease_keeper.run_once(service, wait=True) == [uuid]
    record = records.get(service.db, uuid)
    assert record.state == "error" and record.error == ABORTED
    assert record.owner is None


def test_abort_with_managed_boot_left_by_a_dead_process_powers_off(service, ironic):
    uuid = _starting(service, ironic, "dead-process")
    records.transition(service.db, uuid, Event.abort)
    leases.hold(service.db, uuid, State.aborting, "dead-process")
    _age(service, uuid, service.lease_time + 1)
    assert lease_keeper.run_once(service, wait=True) == [uuid]
    assert ("set_power_state", uuid, "power off") in ironic.calls
    assert records.get(service.db, uuid).state == "error"


def test_stalled_record_is_taken_over_once(service, ironic):
    uuid = _starting(service, ironic, "dead-process")
    _age(service, uuid, service.lease_time + 1)
    assert leases.stalled(service.db, service.lease_time) == [
        (uuid, State.starting, "dead-process")]
    assert leases.take_over(service.db, uuid, State.starting, "dead-process", "a",
                            service.lease_time)
    assert not leases.take_over(service.db, uuid, State.starting, "dead-process", "b",
                                service.lease_time)
    assert leases.stalled(service.db, service.lease_time) == []


def test_start_without_an_owner_is_left_to_the_timeout(service, ironic):
    uuid = ironic.add_node("n1", tuple(MACS), bmc="10.0.0.31")
    records.start(service.db, uuid, True, {"mac": MACS})  # no lease: an older writer
    assert lease_keeper.run_once(service, wait=True) == []
    assert records.get(service.db, uuid).state == "starting"


def test_api_abort_holds_the_lease_until_it_ends(client, service, ironic):
    uuid = _waiting(service, ironic)
    r = client.post(f"/v1/introspection/{uuid}/abort")
    assert r.status_code == 202
    record = records.get(service.db, uuid)
    assert (record.state, record.error, record.owner) == ("error", ABORTED, None)
