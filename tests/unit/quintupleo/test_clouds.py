"""One connection per cloud, the cap on concurrent calls, error translation."""

import threading
import time

import pytest

from ironic_tripleo.quintupleo import exception
from ironic_tripleo.quintupleo.clouds import (
    CloudRegistry,
    CloudSettings,
    CloudSpec,
    spec_from_fields,
)
from ironic_tripleo.quintupleo.power_states import Power
from ironic_tripleo.quintupleo.server import NovaServer, ServerSettings
from tests.harness.fake_nova import SERVER_ID, FakeCompute, FakeServer, connection
from tests.harness.ports import free_port
from tests.harness.silent_http import silent_http
from tests.harness.waiting import wait_for


def test_one_connection_per_cloud():
    made = []

    def connect(spec, settings):
        made.append(spec)
        return object()

    registry = CloudRegistry(connect=connect)
    a = registry.get(CloudSpec(name="a"))
    assert registry.get(CloudSpec(name="a")) is a
    assert registry.get(spec_from_fields("a")) is a
    b = registry.get(spec_from_fields(None, {"auth_url": "http://k:5000/v3",
                                             "username": "u"}, password="pw"))
    assert b is not a and b.connection() is not a.connection()
    assert len(made) == 2 and len(registry) == 2


def test_password_not_in_repr_or_label():
    spec = spec_from_fields(None, {"auth_url": "http://k:5000/v3", "username": "u"},
                            password="s3cr3t")
    assert "s3cr3t" not in repr(spec) and "s3cr3t" not in spec.label
    assert spec.label == "u@http://k:5000/v3"


def test_concurrent_calls_are_capped_per_cloud():
    compute = FakeCompute(FakeServer("ACTIVE", 1), call_delay=0.05)
    registry = CloudRegistry(CloudSettings(max_concurrent_calls=2),
                             connect=lambda spec, s: connection(compute))
    cloud = registry.get(CloudSpec(name="c"))
    servers = [NovaServer(cloud, SERVER_ID, ServerSettings(poll_interval=0.01))
               for _ in range(8)]
    results = []
    threads = [threading.Thread(target=lambda s=s: results.append(s.get_power()))
               for s in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [Power.ON] * 8
    assert compute.max_active == 2


def test_no_slot_in_time_is_cloud_busy():
    registry = CloudRegistry(CloudSettings(max_concurrent_calls=1, api_timeout=0.5),
                             connect=lambda spec, s: object())
    cloud = registry.get(CloudSpec(name="c"))
    inside, release = threading.Event(), threading.Event()

    def hold(conn):
        inside.set()
        release.wait(5)

    worker = threading.Thread(target=cloud.call, args=("s", "hold", hold))
    worker.start()
    inside.wait(5)
    try:
        with pytest.raises(exception.CloudBusy, match="max_concurrent_calls"):
            cloud.call("s", "get", lambda conn: None)
    finally:
        release.set()
        worker.join()


def test_unknown_clouds_yaml_entry(tmp_path):
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text("clouds:\n  other:\n    auth: {auth_url: 'http://127.0.0.1:1/v3'}\n")
    registry = CloudRegistry(CloudSettings(clouds_file=str(clouds)))
    nova = NovaServer(registry.get(CloudSpec(name="missing")), SERVER_ID,
                      ServerSettings())
    with pytest.raises(exception.CloudConfigError, match="missing"):
        nova.get_power()


def test_unreachable_keystone_is_a_clear_error():
    url = f"http://127.0.0.1:{free_port()}/v3"  # nothing listens there
    registry = CloudRegistry(CloudSettings(api_timeout=2.0))
    spec = spec_from_fields(None, {"auth_url": url, "username": "u", "project_name": "p",
                                   "user_domain_name": "Default",
                                   "project_domain_name": "Default"}, password="pw")
    nova = NovaServer(registry.get(spec), SERVER_ID, ServerSettings(state_timeout=2.0))
    with pytest.raises(exception.CloudUnreachable, match="did not answer") as info:
        nova.get_power()
    assert "pw" not in str(info.value).replace("http", "")


def test_a_call_with_a_deadline_ends_there_and_keeps_its_slot_until_it_returns():
    """A call still unanswered at its deadline is an error then (not after each of its
    HTTP requests' own timeouts); it keeps its call slot until it really returns."""
    registry = CloudRegistry(CloudSettings(max_concurrent_calls=1, api_timeout=0.5),
                             connect=lambda spec, s: object())
    cloud = registry.get(CloudSpec(name="c"))
    release, returned = threading.Event(), threading.Event()

    def hang(conn):
        release.wait(30)
        returned.set()

    try:
        with pytest.raises(exception.CloudTimeout, match=r"within \d+\.\ds") as info:
            cloud.call("s", "get", hang, deadline=time.monotonic() + 0.3)
        assert isinstance(info.value, exception.CloudUnreachable)
        assert not returned.is_set()  # the error came while the call still hung
        with pytest.raises(exception.CloudBusy):  # its slot is still taken
            cloud.call("s", "get", lambda conn: None)
    finally:
        release.set()
    assert returned.wait(10)

    def slot_back():
        try:
            return cloud.call("s", "get", lambda conn: "ok")
        except exception.CloudBusy:
            return None

    assert wait_for(slot_back, timeout=10, what="the slot given back") == "ok"


def test_a_cloud_that_never_answers_is_an_error_by_the_state_timeout():
    """The reading ends at its deadline (state_timeout), not after api_timeout for
    each of its HTTP requests (version discovery twice, the token, the GET)."""
    with silent_http() as keystone:
        registry = CloudRegistry(CloudSettings(api_timeout=20.0))
        spec = spec_from_fields(None, {"auth_url": f"{keystone.url}/v3", "username": "u",
                                       "project_name": "p"}, password="pw-x")
        nova = NovaServer(registry.get(spec), SERVER_ID,
                          ServerSettings(state_timeout=2.0, poll_interval=0.1))
        with pytest.raises(exception.CloudTimeout,
                           match=r"within \d+\.\ds, the time the action had left") as info:
            nova.get_power()
        # still inside the first request: its own timeout (20 s) had not come
        assert len(keystone.seen) <= 1, keystone.seen
        assert "pw-x" not in str(info.value)
