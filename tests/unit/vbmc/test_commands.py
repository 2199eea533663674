import pytest

from ironic_tripleo.vbmc.backend import BootDevice, PowerState
from ironic_tripleo.vbmc.commands import CommandDispatcher
from ironic_tripleo.vbmc.memory_backend import MemoryBackend
from ironic_tripleo.vbmc.packet import IpmiRequest


@pytest.fixture
def backend():
    return MemoryBackend(power="on", boot_device="disk", persistent=True)


@pytest.fixture
def dispatch(backend):
    dispatcher = CommandDispatcher("node-1", backend)
    return lambda netfn, cmd, data=b"", priv=4: dispatcher.execute(
        IpmiRequest(netfn, cmd, bytes(data)), priv)


def test_chassis_status(dispatch, backend):
    assert dispatch(0x00, 0x01)[1][0] & 1
    backend.power_off()
    assert not dispatch(0x00, 0x01)[1][0] & 1


@pytest.mark.parametrize(("action", "power", "resets"), [
    (0x00, PowerState.OFF, 0), (0x01, PowerState.ON, 0), (0x02, PowerState.ON, 0),
    (0x03, PowerState.ON, 1), (0x05, PowerState.OFF, 0)])
def test_chassis_control(dispatch, backend, action, power, resets):
    assert dispatch(0x00, 0x02, (action,)) == (0, b"")
    assert backend.get_power_state() is power
    assert backend.resets == resets


def test_chassis_control_refusals(dispatch, backend, caplog):
    assert dispatch(0x00, 0x02, (0x04,))[0] == 0xCC
    assert dispatch(0x00, 0x02, ())[0] == 0xC7
    assert dispatch(0x00, 0x02, (0x01,), priv=2)[0] == 0xD4
    backend.power_off()
    assert dispatch(0x00, 0x02, (0x03,))[0] == 0xD5
    assert dispatch(0x00, 0x02, (0x02,)) == (0, b"")  # cycle of an off machine: on
    assert backend.get_power_state() is PowerState.ON


def test_commands_are_logged_with_the_node_name(dispatch, caplog):
    caplog.set_level("INFO")
    dispatch(0x00, 0x02, (0x00,))
    dispatch(0x00, 0x08, (0x05, 0x80, 0x04, 0, 0, 0))
    assert "node-1: power off" in caplog.text
    assert "node-1: boot device pxe" in caplog.text


@pytest.mark.parametrize(("flags", "device", "persistent"), [
    ((0x80, 0x04), BootDevice.PXE, False), ((0xC0, 0x08), BootDevice.DISK, True),
    ((0x80, 0x14), BootDevice.CDROM, False), ((0xC0, 0x18), BootDevice.BIOS, True)])
def test_boot_flags_round_trip(dispatch, backend, flags, device, persistent):
    assert dispatch(0x00, 0x08, (0x05, *flags, 0, 0, 0)) == (0, b"")
    assert backend.get_boot_device() == (device, persistent)
    assert dispatch(0x00, 0x09, (0x05, 0, 0)) == (0, bytes((1, 5, *flags, 0, 0, 0)))


def test_boot_flags_efi_and_no_override(dispatch, backend):
    dispatch(0x00, 0x08, (0x05, 0xA0, 0x04, 0, 0, 0))
    assert dispatch(0x00, 0x09, (0x05, 0, 0))[1][2] == 0xA0
    dispatch(0x00, 0x08, (0x05, 0x00, 0x00, 0, 0, 0))
    assert dispatch(0x00, 0x09, (0x05, 0, 0))[1][2:] == bytes(5)
    assert backend.get_boot_device() == (BootDevice.PXE, False)  # untouched


def test_other_boot_parameters(dispatch):
    assert dispatch(0x00, 0x08, (0x00, 0x01)) == (0, b"")
    assert dispatch(0x00, 0x09, (0x00, 0, 0)) == (0, b"\x01\x00\x01")
    assert dispatch(0x00, 0x08, (0x04, 0x01, 0x01)) == (0, b"")
    assert dispatch(0x00, 0x09, (0x04, 0, 0)) == (0, b"\x01\x04\x00\x01")
    assert dispatch(0x00, 0x08, (0x03, 0x08)) == (0, b"")
    assert dispatch(0x00, 0x08, (0x07, 0x00))[0] == 0x80
    assert dispatch(0x00, 0x09, (0x07, 0, 0))[0] == 0x80
    assert dispatch(0x00, 0x08, (0x05, 0x80, 0x3C, 0, 0, 0))[0] == 0xCC
    assert dispatch(0x00, 0x08, (0x05, 0x80))[0] == 0xC7


def test_unknown_command_and_backend_failure(dispatch, backend, caplog):
    assert dispatch(0x0A, 0x40) == (0xC1, b"")
    backend.fail = True
    assert dispatch(0x00, 0x01) == (0xFF, b"")
    assert "node-1: backend failed" in caplog.text
