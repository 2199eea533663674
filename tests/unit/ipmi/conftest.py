"""Fixtures for the pyghmi interfaces: a fake task and a pool of fake sessions."""

import threading
import time
import types
import warnings
from collections import deque
from unittest import mock

import pytest
from pyghmi import exceptions as pyghmi_exc
from pyghmi.ipmi import command

from ironic_tripleo.ipmi import chassis, conductor
from ironic_tripleo.ipmi.session_pool import SessionPool

# Ironic 39 still imports eventlet (through futurist), which warns once at import;
# import it here with only that warning silenced, so warnings stay errors elsewhere.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import ironic.conductor.task_manager  # noqa: F401

DRIVER_INFO = {"ipmi_address": "127.0.0.1", "ipmi_port": "6230",
               "ipmi_username": "admin", "ipmi_password": "s3cr3t-pw"}


def make_task(driver_info=None, uuid="1be26c0b-03f2-4d2e-ae87-c02d7f33c123"):
    """The little of an Ironic task that the interfaces use."""
    node = types.SimpleNamespace(uuid=uuid, name=None, driver="tripleo-ipmi",
                                 driver_info=dict(DRIVER_INFO if driver_info is None
                                                  else driver_info))
    task = mock.Mock(spec=ironic.conductor.task_manager.TaskManager)
    task.node, task.shared, task.context = node, False, mock.Mock()
    return task


class FakeSession:
    """pyghmi's session API with callbacks, answered through ``cmd.raw_command``.

    Answers come from another thread, as from the network, so a ``raw_command``
    side effect that blocks is a BMC that does not answer; one that raises is
    reported through the callback as pyghmi reports errors.
    """

    def __init__(self, cmd):
        self.cmd = cmd
        self.evq = deque()
        self.incommand = False
        self.broken = False
        self.logged = True
        self.logouts = 0

    def logout(self):
        self.logouts += 1
        self.logged = False

    @classmethod
    def wait_for_rsp(cls, timeout=None):
        time.sleep(min(timeout or 0, 0.005))

    def raw_command(self, netfn, command, data=(), callback=None, **kwargs):
        def answer():
            try:
                response = self.cmd.raw_command(netfn=netfn, command=command, data=data)
            except pyghmi_exc.IpmiException as e:
                response = {"error": str(e), "code": e.ipmicode}
            callback(response)

        threading.Thread(target=answer, daemon=True).start()


def fake_command(power="off"):
    """An autospec'd pyghmi Command answering chassis status and control.

    ``cmd.state['power']`` is the power state, ``cmd.state['controls']`` the chassis
    control actions received; ``cmd.state['stuck'] = True`` makes them no-ops.
    """
    cmd = mock.create_autospec(command.Command, instance=True)
    state = {"power": power, "controls": [], "stuck": False}
    actions = {code: name for name, code in chassis.CONTROL.items()}

    def raw_command(netfn, command, data=(), **kwargs):
        if (netfn, command) == (0, 1):
            return {"netfn": 1, "command": 1, "code": 0,
                    "data": [1 if state["power"] == "on" else 0, 0, 0]}
        if (netfn, command) == (0, 2):
            action = actions[data[0]]
            state["controls"].append(action)
            if not state["stuck"]:
                state["power"] = "off" if action in ("off", "shutdown") else "on"
            return {"netfn": 1, "command": 2, "code": 0, "data": []}
        return {"error": "Invalid command", "code": 0xC1}

    cmd.raw_command.side_effect = raw_command
    cmd.ipmi_session = FakeSession(cmd)
    cmd.state = state
    return cmd


@pytest.fixture
def task():
    return make_task()


@pytest.fixture
def bmc_command():
    return fake_command()


@pytest.fixture
def pool(bmc_command):
    """The process-wide pool, replaced by one whose BMC is ``bmc_command``."""
    conductor.CONF.set_override("power_state_poll_interval", 0.05, "tripleo_ipmi")
    new = SessionPool(command_timeout=2.0, command_retries=0,
                      connect=lambda bmc: bmc_command)
    previous = conductor.set_default_pool(new)
    yield new
    conductor.set_default_pool(previous)
    conductor.CONF.clear_override("power_state_poll_interval", "tripleo_ipmi")
