"""The pyghmi edge of the session pool: log in, send, pump, log out, never waiting.

Every method of :class:`PyghmiTransport` except :meth:`~PyghmiTransport.kick` runs
on the loop thread of :mod:`ironic_tripleo.ipmi.ipmi_loop` and returns at once:
logins and commands use pyghmi's callback API, answers arrive while the loop pumps
pyghmi's event loop. pyghmi's own waits are avoided by construction:

- a request is only sent on a session that is logged in and not already carrying
  one (pyghmi's ``raw_command`` would otherwise wait for the session);
- after login a session leaves pyghmi's keepalive table (pyghmi's timer would send
  its own requests at times we do not control; the pool keeps sessions alive
  itself) and its ``logontries`` is 0: on no answer pyghmi reports a timeout
  instead of logging in again in the background, and the pool retries on a fresh
  session;
- a session is given up by clearing what it still waits for, then logging out
  without waiting for the BMC (pyghmi sends Close Session with ``retry=False``).

Credentials go to pyghmi as bytes: with ``str``, a second ``Command`` to the same
BMC in one process hangs forever. Private names of pyghmi used here are pinned by
``tests/unit/ipmi/test_pyghmi_session.py``.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from ironic_tripleo.ipmi.driver_info import BMC

LOG = logging.getLogger(__name__)

# How many times one login may start over (pyghmi allows 1; the pool bounds the time).
LOGIN_RESTARTS = 16
LoginDone = Callable[[Any, "str | None"], None]
Answer = Callable[[dict[str, Any]], None]


def _private() -> Any:
    from pyghmi.ipmi.private import session as private

    return private


def _request_privilege(session: Any, level: int | None = None) -> None:
    """Last login step, sent with a callback: pyghmi's own one waits for the answer.

    pyghmi 1.6's ``Session._req_priv_level`` sends Set Session Privilege Level with a
    synchronous ``raw_command``; on the loop thread that would stall every other
    BMC for up to its retries (seconds under packet loss). This does what it does,
    without waiting; it replaces the method on the session it was made for.
    """
    from pyghmi.ipmi.private.util import get_ipmi_error

    level = session.privlevel if level is None else level
    session.logged = 1
    session.logoutexpiry = None
    session.maxtimeout = 4
    session.logontries = 1
    session.onlogpayload = None  # a relog re-runs this step; nothing to replay
    session.incommand = False

    def answered(response: dict[str, Any]) -> None:
        session.incommand = False
        code = response.get("code")
        if code and code in (0x80, 0x81) and level == 4:
            # Some BMCs refuse administrator only at this step: try operator.
            session.privlevel = 3
            _request_privilege(session, 3)
            return
        if code or "error" in response:
            session.logged = 0
            session.logging = False
            reason = response.get("error") or get_ipmi_error(
                response, suffix=f" while requesting privilege level {level}")
            session.onlogon({"error": reason})
            return
        session.logging = False
        session.onlogon({"success": True})

    session.raw_command(netfn=0x06, command=0x3B, data=[level], callback=answered)


class PyghmiTransport:
    """pyghmi sessions driven from one thread (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._kicked = False

    def pump(self, timeout: float) -> None:
        """Handle arrived packets and pyghmi's timers, waiting at most ``timeout``.

        The wait is on our own event, registered in pyghmi's ``ioqueue`` so that its
        I/O thread sets it when a packet arrives, and set by :meth:`kick`; a wait
        inside pyghmi could miss a kick sent just before it. pyghmi's I/O thread
        sets every waiter it holds whenever its ``select`` returns, for any reason
        (our own poke included), so a wake-up with no packet and no kick is not an
        event: wait again, on a fresh event, until the deadline.
        """
        private = _private()
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if self._kicked:
                    self._kicked = False
                    break
                self._wake = wake = threading.Event()
            remaining = deadline - time.monotonic()
            if private.sessionqueue or remaining <= 0:
                break
            if private.iothread is not None and private.iothreadready:
                # pyghmi's I/O thread keeps time on its own clock (not time.monotonic):
                # a deadline on ours looks long past to it, and it wakes at once.
                io_deadline = private._monotonic_time() + remaining
                private.ioqueue.append((io_deadline, wake, None))
                if io_deadline < private.selectdeadline:  # its select would sleep past it
                    self._poke_io_thread(private)
            wake.wait(remaining)
        if private.iothread is not None:
            private.Session.wait_for_rsp(timeout=0)

    def kick(self) -> None:
        """Make a :meth:`pump` in progress (or the next one) return now (any thread)."""
        with self._lock:
            self._kicked = True
            self._wake.set()

    @staticmethod
    def _poke_io_thread(private: Any) -> None:
        """Make pyghmi's I/O thread look at its ``ioqueue``, as pyghmi's own waits do."""
        sockets, myself = private.iosockets, private.myself
        if not sockets or myself is None:
            return
        try:
            sockets[0].sendto(b"\x01", (myself, sockets[0].getsockname()[1]))
        except OSError as e:  # the pump still returns after its timeout
            LOG.debug("could not wake pyghmi's I/O thread: %s", e)

    def login(self, bmc: BMC, on_done: LoginDone) -> Any:
        """Start logging in to ``bmc``; ``on_done(cmd, None)`` or ``(cmd, reason)``.

        :returns: the pyghmi ``Command`` (not usable before ``on_done``).
        """
        from pyghmi.ipmi import command

        def on_logon(response: dict[str, Any], cmd: Any) -> None:
            if "error" in response:
                on_done(cmd, str(response["error"]))
                return
            self._own(cmd.ipmi_session)
            on_done(cmd, None)

        cmd = command.Command(bmc=bmc.address, port=bmc.port,
                              userid=bmc.username.encode("utf-8"),
                              password=bmc.password.encode("utf-8"),
                              kg=bmc.kg_key, privlevel=bmc.priv_level,
                              onlogon=on_logon)
        session = cmd.ipmi_session
        if not session.logged:  # the first packets are out; RAKP 4 comes later
            session._req_priv_level = lambda: _request_privilege(session)
            # pyghmi starts over on a lost RAKP message rather than resend it, and
            # allows that once; under packet loss a login then rarely succeeds.
            session.logontries = LOGIN_RESTARTS
        return cmd

    @staticmethod
    def _own(session: Any) -> None:
        private = _private()
        with private.KEEPALIVE_SESSIONS:  # re-entrant, and only this thread takes it
            private.Session.keepalive_sessions.pop(session, None)
        session.logontries = 0
        # Give up on a silent request after two sends (~2.5 s), not pyghmi's four
        # after login (~9 s): the pool then retries on a fresh session.
        session.maxtimeout = 2

    @staticmethod
    def ready(cmd: Any) -> bool:
        """True when a request can be sent on ``cmd``'s session now without waiting."""
        session = cmd.ipmi_session
        return (bool(session.logged) and not session.logging and not session.broken
                and not session._isincommand())

    @staticmethod
    def alive(cmd: Any) -> bool:
        """False once the session of ``cmd`` is broken or logged out."""
        session = cmd.ipmi_session
        return bool(session.logged) and not session.broken

    def send(self, cmd: Any, netfn: int, command: int, data: tuple[int, ...],
             on_answer: Answer) -> None:
        """Send one request on a :meth:`ready` session; the answer goes to ``on_answer``.

        pyghmi's answer dict gets ``error`` set for an error completion code, and
        ``{'error': 'timeout', 'code': 0xffff}`` when pyghmi gave up retransmitting.
        """
        from pyghmi.ipmi.private.util import get_ipmi_error

        session = cmd.ipmi_session

        def answered(response: dict[str, Any]) -> None:
            error = get_ipmi_error(response)
            if error and "error" not in response:
                response["error"] = error
            # With a callback pyghmi leaves the end of the command to the caller.
            session.incommand = False
            while session.evq:
                session.evq.popleft().set()
            on_answer(response)

        session.raw_command(netfn=netfn, command=command, data=data, callback=answered)

    @staticmethod
    def cancel(cmd: Any) -> None:
        """Stop waiting for the answer to the request in flight on ``cmd``'s session.

        The session stays usable. A late answer must not be taken for the answer to
        the next request: pyghmi matches answers by (netfn, sequence, command) in
        ``request_entry`` and moves to the next sequence number only on an answer,
        so the entry is forgotten and the sequence number moved on here.
        """
        private = _private()
        session = cmd.ipmi_session
        session.incommand = False
        session.lastpayload = None
        session.request_entry = []
        session.seqlun = (session.seqlun + 1) & 0x3F
        # pyghmi lengthens the retransmit timeout per resend and resets it only on an
        # answer; left as is, the next request would be given up at once.
        session.timeout = private.initialtimeout + 0.5 * random.random()  # noqa: S311
        session.ipmicallback = session._generic_callback
        with private.WAITING_SESSIONS:
            private.Session.waiting_sessions.pop(session, None)
        while session.evq:
            session.evq.popleft().set()

    @staticmethod
    def abandon(cmd: Any) -> None:
        """Give up ``cmd``'s session: stop its retransmits, log out without waiting."""
        private = _private()
        session = getattr(cmd, "ipmi_session", None)
        if session is None or session.broken:
            return
        session.incommand = False
        session.lastpayload = None
        session.onlogpayload = None
        session.logonwaiters = []
        with private.WAITING_SESSIONS:
            private.Session.waiting_sessions.pop(session, None)
        # A login given up before its first packet would be handed to the next one.
        private.Session.initting_sessions.pop(
            (session.bmc, session.userid, session.password, session.port, session.kgo),
            None)
        try:
            session.logout()
        except Exception as e:  # a session we are leaving: nothing more to do with it
            LOG.debug("logout of an abandoned IPMI session failed: %s", e)
        session.broken = True

    @staticmethod
    def run_blocking(cmd: Any, func: Callable[[Any], Any]) -> Any:
        """Run a synchronous pyghmi call ``func(cmd)`` here (stalls the loop meanwhile)."""
        return func(cmd)
