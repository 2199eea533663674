"""The tripleo-nova power and management interfaces over a fake compute proxy."""

import pytest
from ironic.common import boot_devices, states
from ironic.common import exception as ironic_exc

from ironic_tripleo.quintupleo import conductor
from ironic_tripleo.quintupleo.clouds import CloudRegistry
from ironic_tripleo.quintupleo.management import NovaManagement
from ironic_tripleo.quintupleo.power import NovaPower
from ironic_tripleo.quintupleo.power_states import SHUTDOWN
from tests.harness.fake_nova import SERVER_ID, FakeCompute, FakeServer, connection
from tests.harness.ironic_task import make_task

INFO = {"nova_server": SERVER_ID, "nova_cloud": "qo"}


@pytest.fixture
def compute():
    compute = FakeCompute(FakeServer("SHUTOFF", SHUTDOWN), task_reads=1)
    conductor.CONF.set_override("poll_interval", 0.1, group="tripleo_nova")
    previous = conductor.set_default_registry(
        CloudRegistry(connect=lambda spec, settings: connection(compute)))
    yield compute
    conductor.set_default_registry(previous)
    conductor.CONF.clear_override("poll_interval", group="tripleo_nova")


def test_validate_names_missing_fields():
    task = make_task({})
    with pytest.raises(ironic_exc.MissingParameterValue, match="nova_server"):
        NovaPower().validate(task)
    with pytest.raises(ironic_exc.InvalidParameterValue, match="nova_auth_url"):
        NovaManagement().validate(make_task({"nova_server": "x",
                                             "nova_auth_url": "not a url",
                                             "nova_username": "u", "nova_password": "p",
                                             "nova_project_name": "p"}))


def test_properties_document_every_field():
    props = NovaPower().get_properties()
    assert {"nova_server", "nova_cloud", "nova_auth_url", "nova_password"} <= set(props)


def test_power_cycle(compute):
    task, power = make_task(INFO), NovaPower()
    assert power.get_power_state(task) == states.POWER_OFF
    power.set_power_state(task, states.POWER_ON)
    assert power.get_power_state(task) == states.POWER_ON
    power.reboot(task)
    power.set_power_state(task, states.SOFT_REBOOT)
    power.set_power_state(task, states.SOFT_POWER_OFF)
    assert [c for c in compute.calls if c != "get"] == [
        "start", "reboot HARD", "reboot SOFT", "stop"]
    assert power.get_power_state(task) == states.POWER_OFF


def test_error_server_names_the_node(compute):
    compute.server.status = "ERROR"
    with pytest.raises(ironic_exc.PowerStateFailure, match="1be26c0b.*ERROR"):
        NovaPower().get_power_state(make_task(INFO))


def test_unsupported_power_state(compute):
    with pytest.raises(ironic_exc.InvalidParameterValue, match="nmi"):
        NovaPower().set_power_state(make_task(INFO), "nmi")


def test_boot_device(compute):
    task, mgmt = make_task(INFO), NovaManagement()
    assert mgmt.get_supported_boot_devices(task) == [boot_devices.PXE, boot_devices.DISK]
    mgmt.set_boot_device(task, boot_devices.PXE)
    assert compute.server.metadata == {"libvirt:pxe-first": "1"}
    assert mgmt.get_boot_device(task) == {"boot_device": "pxe", "persistent": True}
    with pytest.raises(ironic_exc.InvalidParameterValue, match="cdrom"):
        mgmt.set_boot_device(task, boot_devices.CDROM)
