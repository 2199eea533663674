"""Every way an introspection ends tells the service's end listeners, once."""

import datetime

from discoverd.timeouts import expire
from tests.harness.discoverd_payloads import ramdisk_payload

MACS = ["52:54:00:00:00:01"]


def listen(service) -> list[str]:
    ended: list[str] = []
    service.end_listeners.append(ended.append)
    return ended


def test_finish_tells_listeners(client, ironic, service):
    ended = listen(service)
    uuid = ironic.add_node("n1", tuple(MACS))
    client.post(f"/v1/introspection/{uuid}")
    assert ended == []
    assert client.post("/v1/continue", json=ramdisk_payload(MACS)).status_code == 200
    assert ended == [uuid]


def test_processing_error_tells_listeners(client, ironic, service):
    ended = listen(service)
    uuid = ironic.add_node("n1", tuple(MACS))
    client.post(f"/v1/introspection/{uuid}")
    client.post("/v1/continue", json=ramdisk_payload(MACS, error="no disks"))
    assert ended == [uuid]


def test_abort_tells_listeners(client, ironic, service):
    ended = listen(service)
    uuid = ironic.add_node("n1", tuple(MACS))
    client.post(f"/v1/introspection/{uuid}")
    assert client.post(f"/v1/introspection/{uuid}/abort").status_code == 202
    assert ended == [uuid]


def test_timeout_tells_listeners(client, ironic, service):
    ended = listen(service)
    uuid = ironic.add_node("n1", tuple(MACS))
    client.post(f"/v1/introspection/{uuid}")
    later = datetime.datetime.now() + datetime.timedelta(seconds=service.timeout + 60)
    assert expire(service, now=later) == [uuid]
    assert ended == [uuid]


def test_failing_listener_does_not_break_processing(client, ironic, service):
    def broken(uuid):
        raise RuntimeError("listener bug")

    service.end_listeners.append(broken)
    ended = listen(service)
    uuid = ironic.add_node("n1", tuple(MACS))
    client.post(f"/v1/introspection/{uuid}")
    assert client.post("/v1/continue", json=ramdisk_payload(MACS)).status_code == 200
    assert ended == [uuid]
    assert client.get(f"/v1/introspection/{uuid}").json["state"] == "finished"
