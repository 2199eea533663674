"""The state table: Nova's status/power_state/task_state -> machine power."""

import types

import pytest

from ironic_tripleo.quintupleo.power_states import (
    CRASHED,
    NOSTATE,
    PAUSED,
    RUNNING,
    SHUTDOWN,
    SUSPENDED,
    Power,
    Reading,
    classify,
)

TABLE = [
    # settled
    ("ACTIVE", RUNNING, None, Power.ON),
    ("SHUTOFF", SHUTDOWN, None, Power.OFF),
    ("SHUTOFF", CRASHED, None, Power.OFF),
    ("PAUSED", PAUSED, None, Power.ON),
    ("SUSPENDED", SUSPENDED, None, Power.OFF),
    ("SHELVED_OFFLOADED", NOSTATE, None, Power.OFF),
    ("RESCUE", RUNNING, None, Power.ON),
    ("RESCUE", SHUTDOWN, None, Power.ON),  # Nova refuses stop in RESCUE; fake driver
    ("RESCUE", CRASHED, None, Power.OFF),
    # transitional: never the state before (or after) the task
    ("SHUTOFF", SHUTDOWN, "powering-on", Power.BUSY),
    ("ACTIVE", RUNNING, "powering-off", Power.BUSY),
    ("ACTIVE", RUNNING, "rebooting", Power.BUSY),
    ("HARD_REBOOT", RUNNING, "rebooting_hard", Power.BUSY),
    ("REBUILD", SHUTDOWN, "rebuilding", Power.BUSY),
    ("ACTIVE", RUNNING, "rescuing", Power.BUSY),
    ("RESCUE", RUNNING, "unrescuing", Power.BUSY),
    ("BUILD", NOSTATE, "spawning", Power.BUSY),
    ("BUILD", NOSTATE, None, Power.BUSY),
    ("ACTIVE", NOSTATE, None, Power.BUSY),
    ("ACTIVE", None, None, Power.BUSY),  # power_state not shown to this user
    # errors
    ("ERROR", RUNNING, None, Power.ERROR),
    ("ERROR", SHUTDOWN, "powering-on", Power.ERROR),
    ("ACTIVE", RUNNING, "deleting", Power.GONE),
    ("DELETED", SHUTDOWN, None, Power.GONE),
    ("SOFT_DELETED", SHUTDOWN, None, Power.GONE),
]


@pytest.mark.parametrize(("status", "power_state", "task_state", "expected"), TABLE)
def test_classify(status, power_state, task_state, expected):
    assert classify(status, power_state, task_state) is expected


@pytest.mark.parametrize("task", ["powering-on", "powering-off", "rebooting",
                                  "rebooting_hard", "rebuilding", "rescuing"])
@pytest.mark.parametrize("power_state", [RUNNING, SHUTDOWN])
def test_any_task_is_busy_whatever_power_state_says(task, power_state):
    assert classify("ACTIVE", power_state, task) is Power.BUSY


def test_reading_from_sdk_server():
    server = types.SimpleNamespace(status="active", power_state=1, task_state="",
                                   metadata={"libvirt:pxe-first": "1"})
    reading = Reading.from_server(server)
    assert reading == Reading("ACTIVE", 1, None, {"libvirt:pxe-first": "1"})
    assert reading.power is Power.ON
    assert "power_state RUNNING" in reading.describe()
