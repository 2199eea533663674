"""The virtual BMC's nova backend over a fake compute proxy."""

import pytest

from ironic_tripleo.quintupleo.clouds import CloudRegistry
from ironic_tripleo.quintupleo.exception import InvalidNovaInfo, ServerInError
from ironic_tripleo.quintupleo.power_states import RUNNING, SHUTDOWN
from ironic_tripleo.quintupleo.vbmc_backend import NovaBackend
from ironic_tripleo.vbmc.backend import BootDevice, PowerState
from tests.harness.fake_nova import SERVER_ID, FakeCompute, FakeServer, connection


def backend(server):
    compute = FakeCompute(server, task_reads=1)
    registry = CloudRegistry(connect=lambda spec, s: connection(compute))
    return NovaBackend(SERVER_ID, "qo", poll_interval=0.01, registry=registry), compute


def test_power_requests_return_once_accepted():
    nova, compute = backend(FakeServer("SHUTOFF", SHUTDOWN))
    assert nova.get_power_state() is PowerState.OFF
    nova.power_on()
    assert compute.server.task_state == "powering-on"  # accepted, not waited for
    assert nova.get_power_state() is PowerState.ON     # the reading waits it out
    nova.power_on()
    assert compute.calls.count("start") == 1
    nova.reset()
    nova.soft_off()
    assert nova.get_power_state() is PowerState.OFF
    assert [c for c in compute.calls if c != "get"] == ["start", "reboot HARD", "stop"]


def test_boot_device():
    nova, compute = backend(FakeServer("SHUTOFF", SHUTDOWN))
    nova.set_boot_device(BootDevice.PXE, False)
    assert nova.get_boot_device() == (BootDevice.PXE, True)
    with pytest.raises(ValueError, match="cdrom"):
        nova.set_boot_device(BootDevice.CDROM, True)


def test_error_server_raises():
    nova, _ = backend(FakeServer("ERROR", RUNNING))
    with pytest.raises(ServerInError):
        nova.get_power_state()


def test_bad_arguments_named():
    with pytest.raises(InvalidNovaInfo, match="nova_cloud"):
        NovaBackend("node-0")
