"""The timeout check."""

import datetime
import time

from discoverd import records
from discoverd.timeouts import TimeoutChecker, expire


def test_expire_moves_to_error_and_powers_off(client, ironic, service):
    uuid = ironic.add_node("n1", ("52:54:00:00:00:01",))
    client.post(f"/v1/introspection/{uuid}")
    assert expire(service) == []
    later = datetime.datetime.now() + datetime.timedelta(seconds=service.timeout + 60)
    assert expire(service, now=later) == [uuid]
    record = records.get(service.db, uuid)
    assert record.state == "error" and "timeout" in record.error
    assert ironic.calls[-1] == ("set_power_state", uuid, "power off")
    assert expire(service, now=later) == []


def test_checker_thread(client, ironic, service):
    service.timeout = 0
    uuid = ironic.add_node("n1", ("52:54:00:00:00:01",))
    client.post(f"/v1/introspection/{uuid}")
    checker = TimeoutChecker(service, period=0.05)
    checker.start()
    try:
        deadline = time.monotonic() + 5
        while records.get(service.db, uuid).state != "error":
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        checker.stop()
