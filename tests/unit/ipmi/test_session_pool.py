"""Session pool: reuse, order and interval, deadlines, retries, error kinds."""

import logging
import socket
import threading
import time

import pytest
from pyghmi import exceptions as pyghmi_exc

from ironic_tripleo import exception
from ironic_tripleo.ipmi import chassis
from ironic_tripleo.ipmi.driver_info import BMC
from ironic_tripleo.ipmi.failure_kind import ANSWERED, CREDENTIALS, TRANSIENT, classify
from tests.harness.fake_ipmi_sessions import fake_command, make_pool
from tests.harness.waiting import wait_for

BMC1 = BMC(address="127.0.0.1", port=6230, username="admin", password="s3cr3t-pw")
BMC2 = BMC(address="127.0.0.1", port=6231, username="admin", password="x")


def logins_from(*outcomes):
    """connect(bmc) giving ``outcomes`` in turn (then the last one again)."""
    queue = list(outcomes)

    def connect(bmc):
        return queue.pop(0) if len(queue) > 1 else queue[0]
    return connect


def test_one_session_reused_and_per_bmc():
    cmds = {BMC1: fake_command("on"), BMC2: fake_command("off")}
    pool, transport = make_pool(lambda bmc: cmds[bmc])
    assert [pool.get_power(BMC1), pool.get_power(BMC1), pool.get_power(BMC2)] == \
        ["on", "on", "off"]
    assert transport.logins == 2
    assert len(pool) == 2


def test_min_interval_between_requests_and_one_at_a_time():
    pool, transport = make_pool(logins_from(fake_command()), min_command_interval=0.2)
    threads = [threading.Thread(target=pool.get_power, args=(BMC1,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    starts = [t for t, *_ in transport.sent]
    assert len(starts) == 4
    assert min(b - a for a, b in zip(starts, starts[1:], strict=False)) >= 0.19


def test_turn_not_come_by_the_deadline_is_busy_and_never_sent():
    cmd = fake_command()
    pool, transport = make_pool(logins_from(cmd), min_command_interval=5.0,
                                command_timeout=0.5)
    pool.get_power(BMC1)
    # its turn comes 5 s after the first command: waiting for it would have sent it
    with pytest.raises(exception.BMCBusy, match="0 command.s. ahead"):
        pool.get_power(BMC1)
    time.sleep(0.2)
    assert len(transport.sent) == 1


def test_silent_bmc_fails_at_the_deadline():
    cmd = fake_command()
    cmd.state["silent"] = True
    pool, transport = make_pool(logins_from(cmd), command_timeout=0.5, command_retries=0)
    with pytest.raises(exception.BMCTimeout, match=r"within 0\.5s: no answer"):
        pool.get_power(BMC1)
    assert transport.cancels == 1  # the request is given up, the session kept


def test_late_answer_before_the_deadline_is_taken():
    """An answer that comes late but within ``command_timeout`` is not given up on."""
    cmd = fake_command("on")
    cmd.state["delay"] = 0.3
    pool, transport = make_pool(logins_from(cmd), command_timeout=30.0, command_retries=0)
    assert pool.get_power(BMC1) == "on"
    assert transport.cancels == 0


def test_deadline_holds_even_when_the_loop_is_stuck():
    cmd = fake_command()
    pool, _ = make_pool(logins_from(cmd), command_timeout=0.5)
    release, returned = threading.Event(), threading.Event()
    outcome = []

    def stuck():
        try:
            pool.run_blocking(BMC1, lambda c: (release.wait(60), returned.set()), what="stuck")
        except exception.BMCTimeout as e:  # its own deadline holds too
            outcome.append(e)

    blocker = threading.Thread(target=stuck, daemon=True)
    blocker.start()
    time.sleep(0.1)
    with pytest.raises(exception.BMCTimeout, match="busy for"):
        pool.get_power(BMC2)
    assert not returned.is_set()  # given up at its deadline, not when the loop came free
    blocker.join(30)
    assert outcome and not blocker.is_alive()
    assert not returned.is_set()
    release.set()


def test_lost_session_is_replaced_and_command_retried():
    first, second = fake_command("on"), fake_command("on")
    first.raw_command.side_effect = pyghmi_exc.IpmiException("timeout", 0xFFFF)
    pool, transport = make_pool(logins_from(first, second), command_retries=1,
                                retry_backoff=0.05)
    assert pool.get_power(BMC1) == "on"
    assert transport.logins == 2
    assert first.state["logouts"] == 1


def test_retries_end_with_the_error_within_the_deadline():
    cmd = fake_command()
    cmd.raw_command.side_effect = pyghmi_exc.IpmiException("timeout", 0xFFFF)
    pool, transport = make_pool(lambda bmc: cmd, command_retries=2, retry_backoff=0.05)
    with pytest.raises(exception.BMCTimeout, match="timeout"):
        pool.get_power(BMC1)
    assert len(transport.sent) == 3


def test_reset_is_never_retried():
    cmd = fake_command()
    cmd.raw_command.side_effect = pyghmi_exc.IpmiException("timeout", 0xFFFF)
    pool, transport = make_pool(lambda bmc: cmd, command_retries=3, retry_backoff=0.01)
    with pytest.raises(exception.BMCTimeout):
        pool.set_power(BMC1, "reset")
    assert len(transport.sent) == 1


def test_answered_error_is_not_retried_and_keeps_session():
    cmd = fake_command()
    cmd.raw_command.side_effect = pyghmi_exc.IpmiException("Node busy", 0xC0)
    pool, transport = make_pool(lambda bmc: cmd, command_retries=3)
    with pytest.raises(exception.IPMICommandFailed, match="Node busy"):
        pool.get_power(BMC1)
    assert (len(transport.sent), transport.logins, cmd.state["logouts"]) == (1, 1, 0)


def test_refused_credentials_are_not_retried():
    refusal = pyghmi_exc.IpmiException("Incorrect password provided")
    pool, transport = make_pool(lambda bmc: refusal, command_retries=3)
    with pytest.raises(exception.BMCCredentialsRefused, match="Incorrect password"):
        pool.get_power(BMC1)
    assert transport.logins == 1


def test_no_answer_to_login_is_unreachable_at_the_deadline():
    pool, _ = make_pool(lambda bmc: None, command_timeout=0.5)
    # the login never answers: only its deadline can end the call
    with pytest.raises(exception.BMCUnreachable, match=r"No answer from BMC .* after 0\.5s"):
        pool.get_power(BMC1)


def test_late_answer_after_the_deadline_is_ignored():
    cmd = fake_command("on")
    cmd.state["delay"] = 0.6
    pool, _ = make_pool(logins_from(cmd), command_timeout=0.4, command_retries=0)
    with pytest.raises(exception.BMCTimeout):
        pool.get_power(BMC1)
    cmd.state["delay"] = 0.0
    cmd.state["power"] = "off"
    time.sleep(0.3)  # the late "on" answer arrives now
    assert pool.get_power(BMC1) == "off"


def test_session_idle_too_long_is_replaced_by_a_new_login():
    pool, transport = make_pool(logins_from(fake_command(), fake_command()),
                                session_max_idle=0.2)
    pool.get_power(BMC1)
    time.sleep(0.3)
    pool.get_power(BMC1)
    assert transport.logins == 2


def test_discard_and_close_log_out():
    cmd = fake_command()
    pool, _ = make_pool(lambda bmc: cmd)
    pool.get_power(BMC1)
    pool.discard(BMC1)
    assert cmd.state["logouts"] == 1
    pool.get_power(BMC1)
    pool.close()
    assert cmd.state["logouts"] == 2
    assert len(pool) == 0


def test_get_power_many():
    cmds = {BMC1: fake_command("on"), BMC2: fake_command("off")}
    cmds[BMC2].raw_command.side_effect = pyghmi_exc.IpmiException("Node busy", 0xC0)
    pool, _ = make_pool(lambda bmc: cmds[bmc])
    result = pool.get_power_many([BMC1, BMC2, BMC1])
    assert result[BMC1] == "on"
    assert isinstance(result[BMC2], exception.IPMICommandFailed)


def test_multi_request_operation_keeps_the_interval():
    pool, transport = make_pool(logins_from(fake_command()), min_command_interval=0.2)
    pool.run(BMC1, lambda: chassis.set_boot_device("hd"), what="boot")
    (t1, *_), (t2, *_) = transport.sent
    assert t2 - t1 >= 0.19


def test_password_never_logged(caplog):
    cmd = fake_command()
    cmd.raw_command.side_effect = pyghmi_exc.IpmiException("timeout", 0xFFFF)
    pool, _ = make_pool(lambda bmc: cmd, command_retries=1, retry_backoff=0.01)
    with caplog.at_level(logging.DEBUG), pytest.raises(exception.BMCTimeout):
        pool.get_power(BMC1)
    assert "s3cr3t-pw" not in caplog.text


@pytest.mark.parametrize("error,kind", [
    (pyghmi_exc.IpmiException("Incorrect password provided"), CREDENTIALS),
    (pyghmi_exc.IpmiException("Unauthorized name"), CREDENTIALS),
    (pyghmi_exc.IpmiException("timeout", 0xFFFF), TRANSIENT),
    (pyghmi_exc.IpmiException("Session no longer connected"), TRANSIENT),
    (pyghmi_exc.IpmiException(None), TRANSIENT),
    (OSError("network unreachable"), TRANSIENT),
    (pyghmi_exc.IpmiException("Node busy", 0xC0), ANSWERED),
    (ValueError("bad answer"), ANSWERED),
])
def test_classify(error, kind):
    assert classify(error) == kind


def test_keepalive_is_get_device_id_after_the_interval_and_never_logs_in():
    cmd = fake_command()
    cmd.raw_command.side_effect = lambda netfn, command, data=(), **kw: {
        "netfn": netfn + 1, "command": command, "code": 0, "data": [1, 0, 0]}
    pool, transport = make_pool(lambda bmc: cmd, keepalive_interval=0.2,
                                min_command_interval=0.1)
    pool.get_power(BMC1)
    time.sleep(0.5)
    keepalives = [(t, n, c) for t, n, c, _ in transport.sent if (n, c) == (6, 1)]
    assert len(keepalives) >= 1
    assert transport.logins == 1
    pool.discard(BMC1)
    sent = len(transport.sent)
    time.sleep(0.5)  # no session: no keepalive, and no login for one
    assert (len(transport.sent), transport.logins) == (sent, 1)


def test_host_name_resolved_off_the_loop_thread(monkeypatch):
    resolved = threading.Event()
    answered = []
    real = socket.getaddrinfo

    def slow_getaddrinfo(host, *args, **kwargs):
        if host == "bmc.example":
            resolved.wait(60)  # a DNS server that does not answer
            answered.append(host)
            return [(socket.AF_INET, socket.SOCK_DGRAM, 0, "", ("127.0.0.2", 623))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow_getaddrinfo)
    seen = []
    cmds = {"127.0.0.1": fake_command("on"), "127.0.0.2": fake_command("off")}

    def connect(bmc):
        seen.append(bmc.address)
        return cmds[bmc.address]

    pool, _ = make_pool(connect, command_timeout=0.5)
    named = BMC(address="bmc.example", port=623, username="admin", password="x")
    with pytest.raises(exception.BMCUnreachable):
        pool.get_power(named)
    assert answered == []  # failed at its deadline, not after the resolver answered
    assert pool.get_power(BMC1) == "on"  # the loop was not stuck in the resolver
    resolved.set()
    wait_for(lambda: "127.0.0.2" in seen, timeout=3)
    assert pool.get_power(named) == "off"
