"""The private pyghmi names the loop relies on: this fails when pyghmi changes them."""

import inspect

from pyghmi.ipmi.private import session as private


def test_module_state_used_by_the_pump_and_abandon():
    for name in ("iothread", "iothreadready", "ioqueue", "sessionqueue", "iosockets",
                 "myself", "selectdeadline", "_monotonic_time", "KEEPALIVE_SESSIONS",
                 "WAITING_SESSIONS"):
        assert hasattr(private, name), name
    for name in ("keepalive_sessions", "waiting_sessions", "initting_sessions",
                 "wait_for_rsp", "_isincommand", "_req_priv_level", "_generic_callback"):
        assert hasattr(private.Session, name), name


def test_io_thread_wakes_ioqueue_waiters_with_set():
    # pump() puts (deadline, event, None) in ioqueue; the I/O thread calls .set().
    source = inspect.getsource(private.define_worker)
    assert "workitem[1].set()" in source and "w[1].set()" in source
    # ... comparing the entry's deadline with pyghmi's own clock, which pump() uses.
    assert "workitem[0] - _monotonic_time()" in source


def test_privilege_step_is_still_synchronous_and_replaceable():
    # We replace it per session because it waits; if pyghmi made it asynchronous,
    # or renamed it, revisit pyghmi_session._request_privilege.
    source = inspect.getsource(private.Session._req_priv_level)
    assert "self.raw_command(" in source and "callback" not in source
    assert "self._req_priv_level()" in inspect.getsource(private.Session._got_rakp4)


def test_answers_are_matched_by_request_entry_and_seqlun():
    source = inspect.getsource(private.Session._parse_ipmi_payload)
    assert "_lookup_request_entry" in source
    assert "self.seqlun" in inspect.getsource(private.Session._make_ipmi_payload)
