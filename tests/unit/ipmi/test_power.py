"""The pyghmi power interface: state mapping, waiting, errors as Ironic's."""


import pytest
from ironic.common import exception as ironic_exc
from ironic.common import states
from pyghmi import exceptions as pyghmi_exc

from ironic_tripleo.ipmi.power import PyghmiPower
from tests.harness.ironic_task import make_task

power = PyghmiPower()


@pytest.mark.parametrize("bmc_state,expected", [("on", states.POWER_ON),
                                                ("off", states.POWER_OFF)])
def test_get_power_state(pool, task, bmc_command, bmc_state, expected):
    bmc_command.state["power"] = bmc_state
    assert power.get_power_state(task) == expected


def test_get_power_state_error_is_raised_not_guessed(pool, task, bmc_command):
    bmc_command.raw_command.side_effect = pyghmi_exc.IpmiException("Node busy", 0xC0)
    with pytest.raises(ironic_exc.IPMIFailure) as e:
        power.get_power_state(task)
    assert task.node.uuid in str(e.value) and "127.0.0.1:6230" in str(e.value)


def test_power_on_waits_for_state(pool, task, bmc_command):
    power.set_power_state(task, states.POWER_ON)
    assert bmc_command.state["controls"] == ["on"]
    assert bmc_command.state["power"] == "on"


def test_power_off(pool, task, bmc_command):
    bmc_command.state["power"] = "on"
    power.set_power_state(task, states.POWER_OFF, timeout=5)
    assert bmc_command.state["controls"] == ["off"]


def test_state_never_reached_raises_power_state_failure(pool, task, bmc_command):
    bmc_command.state["stuck"] = True  # the BMC accepts but nothing happens
    with pytest.raises(ironic_exc.PowerStateFailure, match="still reports power off"):
        power.set_power_state(task, states.POWER_ON, timeout=0.3)


def test_soft_off_when_already_off_sends_nothing(pool, task, bmc_command):
    power.set_power_state(task, states.SOFT_POWER_OFF, timeout=1)
    assert bmc_command.state["controls"] == []


def test_soft_power_off(pool, task, bmc_command):
    bmc_command.state["power"] = "on"
    power.set_power_state(task, states.SOFT_POWER_OFF, timeout=1)
    assert bmc_command.state["controls"] == ["shutdown"]


@pytest.mark.parametrize("start", ["on", "off"])
def test_reboot_is_off_then_on(pool, task, bmc_command, start):
    bmc_command.state["power"] = start
    power.reboot(task, timeout=1)
    assert bmc_command.state["controls"] == ["off", "on"]
    assert bmc_command.state["power"] == "on"


def test_soft_reboot(pool, task, bmc_command):
    bmc_command.state["power"] = "on"
    power.set_power_state(task, states.SOFT_REBOOT, timeout=1)
    assert bmc_command.state["controls"] == ["shutdown", "on"]


def test_reboot_through_set_power_state(pool, task, bmc_command):
    power.set_power_state(task, states.REBOOT, timeout=1)
    assert bmc_command.state["power"] == "on"


def test_unsupported_state(pool, task):
    with pytest.raises(ironic_exc.InvalidParameterValue, match="'power nap' is not one"):
        power.set_power_state(task, "power nap")


def test_exclusive_lock_required(pool, task):
    task.shared = True
    with pytest.raises(ironic_exc.ExclusiveLockRequired):
        power.set_power_state(task, states.POWER_ON)


def test_validate_missing_and_malformed():
    with pytest.raises(ironic_exc.MissingParameterValue, match="missing ipmi_address"):
        power.validate(make_task({}))
    with pytest.raises(ironic_exc.InvalidParameterValue,
                       match="ipmi_port 'abc' is not an integer 1-65535; missing ipmi_add"):
        power.validate(make_task({"ipmi_port": "abc"}))


def test_supported_states_and_properties(task):
    assert set(power.get_supported_power_states(task)) == {
        states.POWER_ON, states.POWER_OFF, states.REBOOT, states.SOFT_REBOOT,
        states.SOFT_POWER_OFF}
    assert "ipmi_address" in power.get_properties()
