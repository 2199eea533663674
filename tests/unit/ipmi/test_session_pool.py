"""Session pool: reuse, rate limiting, concurrency cap, timeouts, reconnects."""

import logging
import threading
import time
from unittest import mock

import pytest
from pyghmi import exceptions as pyghmi_exc
from pyghmi.ipmi import command

from ironic_tripleo import exception
from ironic_tripleo.ipmi import chassis, session_pool
from ironic_tripleo.ipmi.driver_info import BMC
from ironic_tripleo.ipmi.errors import ANSWERED, CREDENTIALS, TRANSIENT, classify
from tests.netutil import wait_for
from tests.unit.ipmi.conftest import fake_command

BMC1 = BMC(address="127.0.0.1", port=6230, username="admin", password="s3cr3t-pw")


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def command_mock(power="on"):
    return fake_command(power)


def make_pool(*commands, **kwargs):
    connect = mock.Mock(side_effect=list(commands))
    kwargs.setdefault("command_timeout", 2.0)
    return session_pool.SessionPool(connect=connect, **kwargs), connect


def test_one_session_reused():
    pool, connect = make_pool(command_mock())
    assert pool.get_power(BMC1) == "on"
    assert pool.get_power(BMC1) == "on"
    connect.assert_called_once_with(BMC1)
    assert len(pool) == 1


def test_sessions_are_per_bmc():
    pool, connect = make_pool(command_mock("on"), command_mock("off"))
    other = BMC(address="127.0.0.1", port=6231, username="admin", password="x")
    assert (pool.get_power(BMC1), pool.get_power(other)) == ("on", "off")
    assert connect.call_count == 2


def _pyghmi_login_answering(response):
    """A Command class whose asynchronous login calls back with ``response``."""
    spec = mock.create_autospec(command.Command, instance=True)

    def construct(**kwargs):
        kwargs["onlogon"](response, spec)
        return spec

    return mock.patch.object(command, "Command", autospec=True, side_effect=construct)


def test_credentials_given_to_pyghmi_as_bytes():
    with _pyghmi_login_answering({"success": True}) as cls:
        session_pool.pyghmi_connect(BMC1)
    cls.assert_called_once_with(bmc="127.0.0.1", port=6230, userid=b"admin",
                                password=b"s3cr3t-pw", kg=None, privlevel=None,
                                onlogon=mock.ANY)


def test_login_refusal_carries_the_bmc_reason():
    with _pyghmi_login_answering({"error": "Incorrect password provided"}):
        with pytest.raises(pyghmi_exc.IpmiException, match="Incorrect password"):
            session_pool.pyghmi_connect(BMC1)


def test_min_interval_between_commands():
    clock = FakeClock()
    pool, _ = make_pool(command_mock(), min_command_interval=0.5, clock=clock,
                        sleep=clock.sleep)
    for _ in range(3):
        pool.get_power(BMC1)
    assert clock.sleeps == [0.5, 0.5]


def test_min_interval_counts_from_the_command_not_the_login():
    clock = FakeClock()

    def slow_login(bmc):
        clock.now += 0.4  # the login takes most of the interval
        return command_mock()

    pool = session_pool.SessionPool(connect=slow_login, min_command_interval=0.5,
                                    clock=clock, sleep=clock.sleep, command_timeout=2.0)
    sent = []
    for _ in range(2):
        pool.get_power(BMC1)
        sent.append(clock.now)
    assert sent[1] - sent[0] >= 0.5


def test_no_wait_when_interval_already_passed():
    clock = FakeClock()
    pool, _ = make_pool(command_mock(), min_command_interval=0.5, clock=clock,
                        sleep=clock.sleep)
    pool.get_power(BMC1)
    clock.now += 2
    pool.get_power(BMC1)
    assert clock.sleeps == []


@pytest.mark.parametrize("cap", [1, 2])
def test_concurrency_cap(cap):
    pool, _ = make_pool(command_mock(), max_concurrent_commands=cap, command_timeout=5.0)
    lock = threading.Lock()
    in_flight = [0, 0]

    def slow(_cmd):
        with lock:
            in_flight[0] += 1
            in_flight[1] = max(in_flight[1], in_flight[0])
        time.sleep(0.05)
        with lock:
            in_flight[0] -= 1

    threads = [threading.Thread(target=pool.run, args=(BMC1, slow), kwargs={"what": "x"})
               for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert in_flight[1] == cap


def test_busy_when_no_slot_frees():
    pool, _ = make_pool(command_mock(), command_timeout=0.5)
    pool._entry(BMC1).slots.acquire()
    with pytest.raises(exception.BMCBusy, match="127.0.0.1:6230 is busy"):
        pool.get_power(BMC1)


def test_lost_session_is_rebuilt_and_command_retried():
    broken, fresh = command_mock(), command_mock("off")
    broken.raw_command.side_effect = pyghmi_exc.IpmiException("Session no longer connected")
    clock = FakeClock()
    pool, connect = make_pool(broken, fresh, command_retries=1, retry_backoff=0.25,
                              clock=clock, sleep=clock.sleep)
    assert pool.get_power(BMC1) == "off"
    assert connect.call_count == 2
    assert clock.sleeps == [0.25]


def test_retries_back_off_then_fail():
    cmds = [command_mock() for _ in range(3)]
    for c in cmds:
        c.raw_command.side_effect = pyghmi_exc.IpmiException("timeout", 0xFFFF)
    clock = FakeClock()
    pool, connect = make_pool(*cmds, command_retries=2, retry_backoff=0.5, clock=clock,
                              sleep=clock.sleep)
    with pytest.raises(exception.BMCTimeout, match="did not answer 'get power'"):
        pool.get_power(BMC1)
    assert connect.call_count == 3
    assert clock.sleeps == [0.5, 1.0]
    assert len(pool) == 0


def test_no_retry_when_told():
    broken = command_mock()
    broken.raw_command.side_effect = pyghmi_exc.IpmiException("timeout", 0xFFFF)
    pool, connect = make_pool(broken, command_mock(), command_retries=3)
    with pytest.raises(exception.BMCTimeout):
        pool.run(BMC1, lambda c: chassis.control(c, "reset"), what="power reset",
                 retry=False)
    assert connect.call_count == 1


def test_answered_error_is_not_retried_and_keeps_session():
    cmd = command_mock()
    cmd.get_bootdev.side_effect = pyghmi_exc.IpmiException("Invalid command", 0xC1)
    pool, connect = make_pool(cmd, command_retries=3)
    with pytest.raises(exception.IPMICommandFailed, match="'get boot' failed: Invalid"):
        pool.run(BMC1, lambda c: c.get_bootdev(), what="get boot")
    assert connect.call_count == 1 and len(pool) == 1


def test_refused_credentials_are_not_retried():
    pool, connect = make_pool(pyghmi_exc.IpmiException("Incorrect password provided"),
                              command_retries=3)
    with pytest.raises(exception.BMCCredentialsRefused) as e:
        pool.get_power(BMC1)
    assert "refused the credentials of user 'admin'" in str(e.value)
    assert "s3cr3t-pw" not in str(e.value)
    assert connect.call_count == 1


def test_no_answer_at_login():
    pool, connect = make_pool(pyghmi_exc.IpmiException(None),
                              pyghmi_exc.IpmiException(None), command_retries=1,
                              retry_backoff=0)
    with pytest.raises(exception.BMCUnreachable, match="No answer from BMC 127.0.0.1:6230"):
        pool.get_power(BMC1)
    assert connect.call_count == 2


def test_login_that_hangs_is_cut_by_the_timeout():
    release = threading.Event()
    pool = session_pool.SessionPool(command_timeout=0.2, command_retries=0,
                                    connect=lambda bmc: release.wait(10))
    started = time.monotonic()
    with pytest.raises(exception.BMCUnreachable, match=r"after 0\.2s"):
        pool.get_power(BMC1)
    assert time.monotonic() - started < 2
    release.set()


def test_command_that_hangs_times_out_and_session_is_replaced():
    release = threading.Event()
    hung, fresh = command_mock(), command_mock("off")
    late_answer = {"netfn": 1, "command": 1, "code": 0, "data": [1, 0, 0]}
    hung.raw_command.side_effect = lambda **kw: release.wait(10) and late_answer
    pool, connect = make_pool(hung, fresh, command_timeout=0.2, command_retries=0)
    with pytest.raises(exception.BMCTimeout, match=r"within 0\.2s"):
        pool.get_power(BMC1)
    assert hung.ipmi_session.broken is True  # pyghmi must not hand it out again
    wait_for(lambda: hung.ipmi_session.logouts, timeout=5, what="logout")
    release.set()
    assert pool.get_power(BMC1) == "off"
    assert connect.call_count == 2


def test_broken_session_is_replaced_before_use():
    old, new = command_mock("on"), command_mock("off")
    pool, connect = make_pool(old, new)
    assert pool.get_power(BMC1) == "on"
    old.ipmi_session.broken = True
    assert pool.get_power(BMC1) == "off"


def test_error_answer_to_power_read():
    cmd = command_mock()
    cmd.raw_command.side_effect = None
    cmd.raw_command.return_value = {"error": "Node busy", "code": 0xC0}
    pool, _ = make_pool(cmd)
    with pytest.raises(exception.IPMICommandFailed, match="'get power' failed: Node busy"):
        pool.get_power(BMC1)


def test_empty_answer_to_power_read():
    cmd = command_mock()
    cmd.raw_command.side_effect = None
    cmd.raw_command.return_value = {"netfn": 1, "command": 1, "code": 0, "data": []}
    pool, _ = make_pool(cmd)
    with pytest.raises(exception.IPMICommandFailed, match="no data"):
        pool.get_power(BMC1)


def test_discard_and_close_log_out():
    cmd = command_mock()
    pool, connect = make_pool(cmd, command_mock())
    pool.get_power(BMC1)
    pool.discard(BMC1)
    assert cmd.ipmi_session.logouts == 1
    assert len(pool) == 0
    pool.get_power(BMC1)
    pool.close()
    assert len(pool) == 0


def test_password_never_logged(caplog):
    caplog.set_level(logging.DEBUG)
    broken = command_mock()
    broken.raw_command.side_effect = pyghmi_exc.IpmiException("timeout", 0xFFFF)
    pool, _ = make_pool(broken, command_mock(), command_retries=1, retry_backoff=0)
    pool.get_power(BMC1)
    assert "127.0.0.1:6230" in caplog.text
    assert "s3cr3t-pw" not in caplog.text


@pytest.mark.parametrize("error,kind", [
    (pyghmi_exc.IpmiException("Incorrect password provided"), CREDENTIALS),
    (pyghmi_exc.IpmiException("Unauthorized name"), CREDENTIALS),
    (pyghmi_exc.IpmiException(None), TRANSIENT),
    (pyghmi_exc.IpmiException("timeout", 0xFFFF), TRANSIENT),
    (pyghmi_exc.IpmiException("Session no longer connected"), TRANSIENT),
    (pyghmi_exc.IpmiException("Invalid command", 0xC1), ANSWERED),
    (OSError("network unreachable"), TRANSIENT),
    (AssertionError(), ANSWERED),
])
def test_classify(error, kind):
    assert classify(error) == kind


def test_get_power_many():
    other = BMC(address="127.0.0.1", port=6231, username="admin", password="x")
    dead = BMC(address="127.0.0.1", port=6232)
    commands = {BMC1: command_mock("on"), other: command_mock("off")}

    def connect(bmc):
        if bmc == dead:
            raise pyghmi_exc.IpmiException(None)
        return commands[bmc]

    pool = session_pool.SessionPool(connect=connect, command_retries=0)
    result = pool.get_power_many([BMC1, other, dead, BMC1], max_workers=3)
    assert list(result) == [BMC1, other, dead]
    assert result[BMC1] == "on" and result[other] == "off"
    assert isinstance(result[dead], exception.BMCUnreachable)


def test_session_idle_too_long_is_replaced_by_a_new_login():
    clock = FakeClock()
    pool, connect = make_pool(command_mock("on"), command_mock("off"),
                              session_max_idle=25.0, clock=clock, sleep=clock.sleep)
    assert pool.get_power(BMC1) == "on"
    clock.now += 20
    assert pool.get_power(BMC1) == "on"  # answered 20 s ago: reused
    clock.now += 26
    assert pool.get_power(BMC1) == "off"  # idle 26 s: a new session
    assert connect.call_count == 2


def test_quick_packet_pump_only_where_pyghmi_has_it():
    from pyghmi.ipmi.private import session as pyghmi_private

    from ironic_tripleo.ipmi import pyghmi_session

    real = object.__new__(pyghmi_private.Session)  # no login: only its class matters
    assert callable(pyghmi_session._packet_pump(real))
    assert pyghmi_session._packet_pump(command_mock().ipmi_session) is None
