"""One connection per cloud, the cap on concurrent calls, error translation."""

import threading

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
