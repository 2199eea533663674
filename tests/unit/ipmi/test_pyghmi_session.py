"""The private pyghmi names the loop relies on: this fails when pyghmi changes them.

Users: ``ironic_tripleo/ipmi/pyghmi_session.py`` (the session internals) and
``ironic_tripleo/ipmi/failure_kind.py`` (pyghmi's error texts). Each failure names
what changed; revisit the module it names.
"""

import inspect

from pyghmi.ipmi.private import constants, util
from pyghmi.ipmi.private import session as private

from ironic_tripleo.ipmi import failure_kind

REVISIT = "; pyghmi changed what ironic_tripleo/ipmi/pyghmi_session.py relies on"

#: Attributes pyghmi_session reads or sets on a pyghmi Session instance.
SESSION_ATTRIBUTES = (
    "bmc", "broken", "evq", "incommand", "ipmicallback", "kgo", "lastpayload", "logged",
    "logging", "logontries", "logonwaiters", "logoutexpiry", "maxtimeout", "onlogon",
    "onlogpayload", "password", "port", "privlevel", "request_entry", "seqlun",
    "timeout", "userid")


def test_module_state_used_by_the_pump_and_abandon():
    for name in ("iothread", "iothreadready", "ioqueue", "sessionqueue", "iosockets",
                 "myself", "selectdeadline", "_monotonic_time", "KEEPALIVE_SESSIONS",
                 "WAITING_SESSIONS"):
        assert hasattr(private, name), f"pyghmi.ipmi.private.session.{name} is gone" + REVISIT
    for name in ("keepalive_sessions", "waiting_sessions", "initting_sessions",
                 "wait_for_rsp", "_isincommand", "_req_priv_level", "_generic_callback"):
        assert hasattr(private.Session, name), f"Session.{name} is gone" + REVISIT
    assert callable(getattr(util, "get_ipmi_error", None)), (
        "pyghmi.ipmi.private.util.get_ipmi_error is gone" + REVISIT)
    assert isinstance(getattr(private, "initialtimeout", None), int | float), (
        "pyghmi.ipmi.private.session.initialtimeout is gone" + REVISIT)


def test_session_instance_attributes_still_exist():
    source = inspect.getsource(private.Session)
    missing = [name for name in SESSION_ATTRIBUTES if f"self.{name}" not in source]
    assert not missing, f"Session no longer sets self.{', self.'.join(missing)}" + REVISIT
    for name in ("logout", "raw_command"):
        assert callable(getattr(private.Session, name, None)), f"Session.{name}" + REVISIT


def test_error_texts_classified_by_failure_kind_are_still_pyghmi_s():
    known = " ".join(constants.rmcp_codes.values()).lower() + inspect.getsource(
        private).lower()
    texts = failure_kind._CREDENTIAL_TEXTS + failure_kind._TRANSIENT_TEXTS
    missing = [text for text in texts if text not in known]
    assert not missing, (
        f"pyghmi no longer says {missing}: ironic_tripleo/ipmi/failure_kind.py would "
        "class those failures as 'answered' (no retry, no credentials error)")


def test_io_thread_wakes_ioqueue_waiters_with_set():
    # pump() puts (deadline, event, None) in ioqueue; the I/O thread calls .set().
    source = inspect.getsource(private.define_worker)
    assert "workitem[1].set()" in source and "w[1].set()" in source, (
        "pyghmi's I/O thread no longer wakes ioqueue waiters with .set()" + REVISIT)
    # ... comparing the entry's deadline with pyghmi's own clock, which pump() uses.
    assert "workitem[0] - _monotonic_time()" in source, (
        "pyghmi's I/O thread no longer uses _monotonic_time for ioqueue deadlines" + REVISIT)


def test_privilege_step_is_still_synchronous_and_replaceable():
    # We replace it per session because it waits; if pyghmi made it asynchronous,
    # or renamed it, revisit pyghmi_session._request_privilege.
    source = inspect.getsource(private.Session._req_priv_level)
    assert "self.raw_command(" in source and "callback" not in source, (
        "Session._req_priv_level changed (is it asynchronous now?)" + REVISIT)
    assert "self._req_priv_level()" in inspect.getsource(private.Session._got_rakp4), (
        "Session._got_rakp4 no longer calls _req_priv_level" + REVISIT)


def test_answers_are_matched_by_request_entry_and_seqlun():
    source = inspect.getsource(private.Session._parse_ipmi_payload)
    assert "_lookup_request_entry" in source, (
        "Session._parse_ipmi_payload no longer matches answers by request entry" + REVISIT)
    assert "self.seqlun" in inspect.getsource(private.Session._make_ipmi_payload), (
        "Session._make_ipmi_payload no longer uses self.seqlun" + REVISIT)
