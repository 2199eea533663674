"""A SessionPool on fake pyghmi sessions, for unit tests of the IPMI interfaces.

``make_pool(connect)`` builds a pool on its own loop whose logins call
``connect(bmc)`` (``FakeTransport``); ``fake_command()`` is an autospec'd pyghmi
Command that answers chassis status, chassis control and the boot flags.
"""

import threading
import time
from unittest import mock

from pyghmi import exceptions as pyghmi_exc
from pyghmi.ipmi import command

from ironic_tripleo.ipmi import chassis, ipmi_loop
from ironic_tripleo.ipmi.session_pool import SessionPool


class FakeTransport:
    """The pool's pyghmi edge, answering from fake Commands on the pool's loop.

    ``connect(bmc)`` returns the Command a login gives, an exception (the login
    fails with its text) or None (no answer to the login). A Command whose
    ``state['silent']`` is true never answers; ``state['delay']`` delays answers.
    """

    def __init__(self, connect):
        self.connect = connect
        self.loop = None
        self.wake = threading.Event()
        self.sent = []
        self.logins = 0
        self.cancels = 0

    def pump(self, timeout):
        self.wake.wait(timeout)
        self.wake.clear()

    def kick(self):
        self.wake.set()

    def login(self, bmc, on_done):
        self.logins += 1
        outcome = self.connect(bmc)
        if isinstance(outcome, Exception):
            self.loop.call_later(0.001, lambda: on_done(None, str(outcome)))
        elif outcome is not None:
            outcome.state["broken"] = False
            self.loop.call_later(0.001, lambda: on_done(outcome, None))
        return outcome

    @staticmethod
    def ready(cmd):
        return not cmd.state["broken"]

    alive = ready

    def send(self, cmd, netfn, command, data, on_answer):
        self.sent.append((time.monotonic(), netfn, command, tuple(data)))
        if cmd.state["silent"]:
            return
        try:
            response = cmd.raw_command(netfn=netfn, command=command, data=data)
        except pyghmi_exc.IpmiException as e:
            response = {"error": str(e), "code": e.ipmicode}
        self.loop.call_later(cmd.state["delay"], lambda: on_answer(response))

    def cancel(self, cmd):
        self.cancels += 1

    @staticmethod
    def abandon(cmd):
        cmd.state["broken"] = True
        cmd.state["logouts"] += 1

    @staticmethod
    def run_blocking(cmd, func):
        return func(cmd)


def make_pool(connect, **kwargs):
    """A SessionPool on its own loop whose logins call ``connect(bmc)``."""
    transport = FakeTransport(connect)
    loop = ipmi_loop.EventLoop(transport.pump, transport.kick, name="test-ipmi-loop")
    transport.loop = loop
    kwargs.setdefault("command_timeout", 2.0)
    return SessionPool(transport=transport, loop=loop, **kwargs), transport


def fake_command(power="off"):
    """An autospec'd pyghmi Command answering chassis status, control and boot flags.

    ``cmd.state['power']`` is the power state, ``cmd.state['controls']`` the chassis
    control actions received; ``cmd.state['stuck'] = True`` makes them no-ops;
    ``cmd.state['bootflags']`` the boot flags parameter data as the BMC holds it.
    """
    cmd = mock.create_autospec(command.Command, instance=True)
    state = {"power": power, "controls": [], "stuck": False, "silent": False,
             "delay": 0.0, "broken": False, "logouts": 0, "bootflags": [0, 0, 0, 0, 0]}
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
        if (netfn, command) == (0, 8):
            if data[0] == 5:
                state["bootflags"] = list(data[1:])
            return {"netfn": 1, "command": 8, "code": 0, "data": []}
        if (netfn, command) == (0, 9):
            return {"netfn": 1, "command": 9, "code": 0,
                    "data": [1, 5, *state["bootflags"]]}
        return {"error": "Invalid command", "code": 0xC1}

    cmd.raw_command.side_effect = raw_command
    cmd.state = state
    return cmd
