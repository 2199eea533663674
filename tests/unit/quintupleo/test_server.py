"""The mapping (NovaServer) against a fake compute proxy that keeps Nova's rules."""

import pytest

from ironic_tripleo.quintupleo import exception
from ironic_tripleo.quintupleo.clouds import CloudRegistry, CloudSettings, CloudSpec
from ironic_tripleo.quintupleo.power_states import RUNNING, SHUTDOWN, Power
from ironic_tripleo.quintupleo.server import (
    BOOT_DEVICE_KEY,
    PXE_FIRST_KEY,
    NovaServer,
    ServerSettings,
)
from tests.harness.fake_nova import SERVER_ID, FakeCompute, FakeServer, connection


def make(server=None, task_reads=2, cache_ttl=0.0, **settings):
    compute = FakeCompute(server if server is not None else FakeServer(), task_reads)
    registry = CloudRegistry(CloudSettings(status_cache_ttl=cache_ttl),
                             connect=lambda spec, s: connection(compute))
    options = dict(state_timeout=5.0, poll_interval=0.01)
    options.update(settings)
    nova = NovaServer(registry.get(CloudSpec(name="test")), SERVER_ID,
                      ServerSettings(**options))
    return nova, compute


def test_powering_on_is_waited_out_never_reported_off():
    server = FakeServer("SHUTOFF", SHUTDOWN)
    server.task_state, server.pending = "powering-on", (3, "ACTIVE", RUNNING)
    nova, compute = make(server)
    assert nova.get_power() is Power.ON
    assert compute.calls.count("get") == 4


def test_transition_not_over_in_time_is_an_error_not_a_state():
    server = FakeServer("ACTIVE", RUNNING)
    server.task_state, server.pending = "powering-off", (10**6, "SHUTOFF", SHUTDOWN)
    nova, _ = make(server)
    with pytest.raises(exception.ServerStateTimeout, match="powering-off"):
        nova.get_power(timeout=0.1)


def test_power_on_starts_and_waits():
    nova, compute = make(FakeServer("SHUTOFF", SHUTDOWN))
    nova.power_on()
    assert "start" in compute.calls
    assert compute.server.status == "ACTIVE"
    assert nova.get_power() is Power.ON


@pytest.mark.parametrize(("status", "power", "method", "action"), [
    ("ACTIVE", RUNNING, "power_on", "start"),
    ("SHUTOFF", SHUTDOWN, "power_off", "stop"),
])
def test_on_and_off_are_idempotent(status, power, method, action):
    nova, compute = make(FakeServer(status, power))
    getattr(nova, method)()
    assert action not in compute.calls
    assert compute.server.status == status


def test_power_on_during_powering_off_waits_then_starts():
    server = FakeServer("ACTIVE", RUNNING)
    server.task_state, server.pending = "powering-off", (2, "SHUTOFF", SHUTDOWN)
    nova, compute = make(server)
    nova.power_on()
    assert compute.calls.index("start") > 2
    assert compute.server.status == "ACTIVE"


def test_power_off_and_reboots():
    nova, compute = make(FakeServer("ACTIVE", RUNNING))
    nova.reboot(soft=True)
    nova.reboot(soft=False)
    nova.power_off()
    assert [c for c in compute.calls if c not in ("get",)] == [
        "reboot SOFT", "reboot HARD", "stop"]
    assert compute.server.status == "SHUTOFF"


def test_reboot_of_an_off_server_starts_it():
    nova, compute = make(FakeServer("SHUTOFF", SHUTDOWN))
    nova.reboot()
    assert "start" in compute.calls and not any("reboot" in c for c in compute.calls)


@pytest.mark.parametrize("method", ["get_power", "power_on", "power_off", "reboot"])
def test_error_server_is_a_clear_error(method):
    nova, compute = make(FakeServer("ERROR", RUNNING))
    with pytest.raises(exception.ServerInError, match="ERROR"):
        getattr(nova, method)()
    assert set(compute.calls) == {"get"}


@pytest.mark.parametrize("method", ["get_power", "power_on", "power_off"])
def test_deleted_server_is_a_clear_error(method):
    nova, compute = make(FakeServer("ACTIVE", RUNNING))
    compute.server = None
    with pytest.raises(exception.ServerNotFound, match="does not exist"):
        getattr(nova, method)()


def test_deleted_by_name_forgets_the_cached_id():
    nova, compute = make(FakeServer("ACTIVE", RUNNING, name="node-7"))
    nova.server = "node-7"
    assert nova.get_power() is Power.ON
    compute.server = None
    with pytest.raises(exception.ServerNotFound):
        nova.get_power()
    assert nova.cloud._ids == {}


def test_status_cache_saves_reads_and_any_action_invalidates_it():
    nova, compute = make(FakeServer("ACTIVE", RUNNING), cache_ttl=60.0)
    assert nova.get_power() is Power.ON
    assert nova.get_power() is Power.ON
    assert compute.calls.count("get") == 1
    nova.power_off()
    assert nova.get_power() is Power.OFF  # not the cached ON


def test_no_cache_by_default():
    nova, compute = make(FakeServer("ACTIVE", RUNNING))
    nova.get_power()
    nova.get_power()
    assert compute.calls.count("get") == 2


def test_metadata_boot_device():
    nova, compute = make(FakeServer("SHUTOFF", SHUTDOWN))
    nova.set_boot_device("pxe")
    assert compute.server.metadata == {PXE_FIRST_KEY: "1"}
    assert nova.get_boot_device() == "pxe"
    nova.set_boot_device("disk")
    assert compute.server.metadata == {PXE_FIRST_KEY: ""}
    assert nova.get_boot_device() == "disk"
    with pytest.raises(ValueError, match="cdrom"):
        nova.set_boot_device("cdrom")


def test_rescue_boot_device_applies_at_power_on_and_reboot():
    nova, compute = make(FakeServer("SHUTOFF", SHUTDOWN), boot_method="rescue",
                         rescue_image="ipxe")
    nova.set_boot_device("pxe")
    assert compute.server.metadata == {BOOT_DEVICE_KEY: "pxe"}
    assert compute.server.status == "SHUTOFF"  # nothing boots yet
    nova.power_on()
    assert "rescue ipxe" in compute.calls and "start" not in compute.calls
    assert compute.server.status == "RESCUE"
    assert nova.get_power() is Power.ON
    nova.reboot()  # still PXE: out of rescue and into it again
    assert compute.calls.count("rescue ipxe") == 2 and "unrescue" in compute.calls
    assert nova.get_boot_device() == "pxe"
    nova.set_boot_device("pxe")  # already booted from the network: nothing to do
    # Nova refuses metadata updates in RESCUE: disk unrescues at once
    nova.set_boot_device("disk")
    assert compute.server.status == "ACTIVE"
    assert compute.server.metadata == {BOOT_DEVICE_KEY: "disk"}
    assert nova.get_boot_device() == "disk"
    nova.reboot()
    assert compute.server.status == "ACTIVE"
    assert compute.calls.count("rescue ipxe") == 2


def test_power_off_of_a_rescued_server_unrescues_first():
    nova, compute = make(FakeServer("RESCUE", RUNNING), boot_method="rescue",
                         rescue_image="ipxe")
    nova.power_off()
    actions = [c for c in compute.calls if c != "get"]
    assert actions == ["unrescue", "stop"]
    assert compute.server.status == "SHUTOFF"


def test_rescue_without_image_is_a_clear_error():
    nova, _ = make(FakeServer("SHUTOFF", SHUTDOWN), boot_method="rescue")
    nova.set_boot_device("pxe")
    with pytest.raises(exception.CloudRequestFailed, match="rescue_image"):
        nova.power_on()


def test_conflict_from_a_task_started_elsewhere_is_retried():
    server = FakeServer("ACTIVE", RUNNING)
    nova, compute = make(server)
    real_stop = compute.stop_server
    raced = []

    def stop(server_id):
        if not raced:  # someone else's reboot lands between our read and our stop
            raced.append(1)
            server.task_state, server.pending = "rebooting", (1, "ACTIVE", RUNNING)
        return real_stop(server_id)

    compute.stop_server = stop
    nova.power_off()
    assert compute.calls.count("stop") == 2
    assert server.status == "SHUTOFF"


def test_bad_boot_method_refused():
    with pytest.raises(ValueError, match="boot_method"):
        make(boot_method="cdrom")
