"""The pyghmi management interface: boot devices and sensors in Ironic's terms."""

import types

import pytest
from ironic.common import boot_devices
from ironic.common import exception as ironic_exc
from pyghmi import exceptions as pyghmi_exc

from ironic_tripleo.ipmi import sensors
from ironic_tripleo.ipmi.management import PyghmiManagement, boot_device_from_pyghmi

mgmt = PyghmiManagement()


@pytest.mark.parametrize("device,flags", [
    (boot_devices.PXE, [0xC0, 0x04]), (boot_devices.DISK, [0xC0, 0x08]),
    (boot_devices.CDROM, [0xC0, 0x14]), (boot_devices.BIOS, [0xC0, 0x18])])
def test_set_boot_device(pool, task, bmc_command, device, flags):
    mgmt.set_boot_device(task, device, persistent=True)
    # The same boot flags bytes pyghmi's set_bootdev writes.
    assert bmc_command.state["bootflags"] == [*flags, 0, 0, 0]
    assert mgmt.get_boot_device(task) == {"boot_device": device, "persistent": True}


def test_set_unsupported_boot_device(pool, task):
    with pytest.raises(ironic_exc.InvalidParameterValue, match="'floppy' is not one of"):
        mgmt.set_boot_device(task, boot_devices.FLOPPY)


def test_set_boot_device_error_answer(pool, task, bmc_command):
    bmc_command.raw_command.side_effect = pyghmi_exc.IpmiException("Invalid data field",
                                                                    0xCC)
    with pytest.raises(ironic_exc.IPMIFailure, match="'set boot device pxe' failed"):
        mgmt.set_boot_device(task, boot_devices.PXE)


@pytest.mark.parametrize("flags,expected", [
    ([0x00, 0x00], {"boot_device": None, "persistent": None}),
    ([0x80, 0x04], {"boot_device": "pxe", "persistent": False}),
    ([0xE0, 0x08], {"boot_device": "disk", "persistent": True}),
    ([0xC0, 0x1C], {"boot_device": None, "persistent": None}),
])
def test_get_boot_device(pool, task, bmc_command, flags, expected):
    bmc_command.state["bootflags"] = [*flags, 0, 0, 0]
    assert mgmt.get_boot_device(task) == expected


def test_boot_device_from_pyghmi():
    assert boot_device_from_pyghmi({"bootdev": 7, "persistent": True}) == {
        "boot_device": None, "persistent": None}


def test_get_boot_mode(pool, task, bmc_command):
    bmc_command.state["bootflags"] = [0xE0, 0x08, 0, 0, 0]
    assert mgmt.get_boot_mode(task) == "uefi"
    bmc_command.state["bootflags"] = [0x00, 0x00, 0, 0, 0]
    assert mgmt.get_boot_mode(task) is None


def test_supported_boot_devices_and_modes(task):
    assert mgmt.get_supported_boot_devices(task) == ["pxe", "disk", "cdrom", "bios"]
    assert mgmt.get_supported_boot_modes(task) == ["bios", "uefi"]


def reading(name, kind, value=None, units="", states=(), unavailable=0):
    return types.SimpleNamespace(name=name, type=kind, value=value, units=units,
                                 imprecision=None, states=list(states), health=0,
                                 unavailable=unavailable)


def test_sensors_data(pool, task, bmc_command):
    bmc_command.get_sensor_data.return_value = iter([
        reading("CPU Temp", "Temperature", 42.0, "°C"),
        reading("Fan 1", "Fan", 3000, "RPM"),
        reading("PSU", "Power Supply", states=["Present"]),
        reading("Inlet", "Temperature", unavailable=1)])
    data = mgmt.get_sensors_data(task)
    assert set(data) == {"Temperature", "Fan", "Power Supply"}
    assert data["Temperature"]["CPU Temp"]["Sensor Reading"] == "42.0 °C"
    assert data["Temperature"]["CPU Temp"]["Sensor ID"] == "CPU Temp"
    assert data["Temperature"]["Inlet"]["Sensor Reading"] == "Unavailable"
    assert data["Power Supply"]["PSU"]["Sensor Reading"] == "Present"


def test_no_sdr_repository_means_no_sensors(pool, task, bmc_command):
    bmc_command.get_sensor_data.side_effect = pyghmi_exc.IpmiException(
        "Requested sensor, data, or record not present", sensors.NOT_PRESENT)
    assert mgmt.get_sensors_data(task) == {}


def test_sensor_failure(pool, task, bmc_command):
    bmc_command.get_sensor_data.side_effect = pyghmi_exc.IpmiException("Node busy", 0xC0)
    with pytest.raises(ironic_exc.FailedToGetSensorData, match="Node busy"):
        mgmt.get_sensors_data(task)
