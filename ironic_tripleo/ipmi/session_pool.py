"""One long-lived IPMI session per BMC, shared by every thread of the process.

A :class:`SessionPool` keeps one logged-in pyghmi session per
:class:`~ironic_tripleo.ipmi.driver_info.BMC` and runs operations (the generators of
:mod:`ironic_tripleo.ipmi.chassis`) on it with:

- one deadline per call, ``command_timeout`` seconds after it was made, that holds
  by construction: the caller waits on a future until then, and only the loop
  thread of :mod:`ironic_tripleo.ipmi.ipmi_loop` ever calls pyghmi, so no lock or
  wait inside pyghmi can hold a caller longer; nothing is sent after a deadline;
- one request in flight per BMC at a time, in the order the calls came, and a
  per-BMC minimum interval between two requests (from the previous one's sending
  and from its answer);
- retries with backoff on a fresh session, within the deadline, when the BMC did
  not answer (BMC restarted, session lost); errors the BMC answered with are not
  retried; a session idle longer than ``session_max_idle`` is replaced by a login;
- keepalives: a session silent for ``keepalive_interval`` gets a Get Device ID, in
  its turn like any request, so the BMC does not expire it between Ironic's power
  syncs; a session no caller used for ``unused_logout`` seconds is logged out (its
  node left this conductor), and beyond ``max_kept_alive`` sessions the least
  recently used idle ones are logged out.

All state below is touched only on the loop thread, except what a call shares with
its caller (its future and the ``sent``/``abandoned`` flags, under its lock).
Settings are plain constructor arguments; the Ironic interfaces build the
process-wide instance from ``[tripleo_ipmi]`` (see ``ironic_tripleo.ipmi.conductor``).
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from pyghmi import exceptions as pyghmi_exc

from ironic_tripleo.exception import (
    BMCBusy,
    BMCCredentialsRefused,
    BMCTimeout,
    BMCUnreachable,
    IPMICommandFailed,
    IPMIError,
)
from ironic_tripleo.ipmi import chassis, ipmi_loop
from ironic_tripleo.ipmi.driver_info import BMC
from ironic_tripleo.ipmi.errors import CREDENTIALS, TRANSIENT, classify
from ironic_tripleo.ipmi.pyghmi_session import PyghmiTransport

LOG = logging.getLogger(__name__)
# How long a caller waits past its deadline for the loop's own verdict on the call.
GRACE = 0.5
# Longest a login may go on (pyghmi itself gives up after a few seconds of silence).
LOGIN_LIMIT = 30.0
# How long close() and discard() wait for the loop to log out.
LOGOUT_WAIT = 2.0

_shared_loop: ipmi_loop.EventLoop | None = None
_shared_lock = threading.Lock()


def shared_loop(transport: PyghmiTransport) -> ipmi_loop.EventLoop:
    """The process's one pyghmi loop (pyghmi's state is process-wide)."""
    global _shared_loop
    with _shared_lock:
        if _shared_loop is None:
            _shared_loop = ipmi_loop.EventLoop(transport.pump, transport.kick)
        return _shared_loop


class _Call:
    """One caller's request: an operation (or blocking function) and its deadline."""

    def __init__(self, bmc: BMC, what: str, deadline: float, retry: bool,
                 operation: Callable[[], chassis.Operation] | None = None,
                 blocking: Callable[[Any], Any] | None = None,
                 internal: bool = False) -> None:
        self.bmc, self.what, self.deadline, self.retry = bmc, what, deadline, retry
        self.internal = internal  # the pool's own keepalive: no login for it
        self.operation, self.blocking = operation, blocking
        self.future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self.lock = threading.Lock()
        self.sent = False
        self.abandoned = False
        self.attempts = 0
        self.steps: chassis.Operation | None = None
        self.timer: ipmi_loop.Timer | None = None

    @property
    def finished(self) -> bool:
        return self.future.done()

    def finish(self, result: Any = None, error: BaseException | None = None) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if self.future.done():
            return
        if error is not None:
            self.future.set_exception(error)
        else:
            self.future.set_result(result)


class _Entry:
    """What the loop knows of one BMC."""

    def __init__(self, bmc: BMC) -> None:
        self.bmc = bmc
        self.cmd: Any = None            # the logged-in session (pyghmi Command)
        self.login: object | None = None  # token of the login in progress
        self.login_cmd: Any = None
        self.login_not_before = 0.0
        self.queue: deque[_Call] = deque()
        self.current: _Call | None = None
        self.next_start = 0.0
        self.last_answer = 0.0
        self.last_used = 0.0  # when a caller last asked for this BMC
        self.turn: ipmi_loop.Timer | None = None
        self.keepalive: ipmi_loop.Timer | None = None


class SessionPool:
    """Long-lived IPMI sessions, one per BMC, safe to share between threads.

    :param command_timeout: seconds a call may take in all (waiting for its turn,
        logging in, retries included); it then fails, and nothing more is sent.
    :param command_retries: retries on a fresh session after no answer.
    :param retry_backoff: seconds before the first retry, doubled each time.
    :param min_command_interval: minimum seconds between two requests to a BMC.
    :param session_max_idle: seconds a session may go unanswered before it is
        replaced by a new login rather than trusted (BMCs expire idle sessions).
    :param keepalive_interval: seconds of silence after which a session gets a
        keepalive request; 0 disables keepalives.
    :param max_kept_alive: most sessions kept at once.
    :param unused_logout: seconds without a call after which a session is logged out.
    :param transport: the pyghmi edge (tests pass their own).
    :param loop: the loop thread (default: the process's one pyghmi loop).
    """

    def __init__(self, *, command_timeout: float = 10.0, command_retries: int = 1,
                 retry_backoff: float = 0.5, min_command_interval: float = 0.0,
                 session_max_idle: float = 25.0, keepalive_interval: float = 0.0,
                 max_kept_alive: int = 1000, unused_logout: float = 600.0,
                 transport: Any = None,
                 loop: ipmi_loop.EventLoop | None = None) -> None:
        self.command_timeout = command_timeout
        self.command_retries = command_retries
        self.retry_backoff = retry_backoff
        self.min_command_interval = min_command_interval
        self.session_max_idle = session_max_idle
        self.keepalive_interval = keepalive_interval
        self.max_kept_alive = max_kept_alive
        self.unused_logout = unused_logout
        self._transport = transport or PyghmiTransport()
        self._loop = loop or shared_loop(self._transport)
        self._entries: dict[BMC, _Entry] = {}

    # --- callers' side -------------------------------------------------------------

    def __len__(self) -> int:
        """Number of BMCs with a session open now."""
        return self._on_loop(lambda: sum(1 for e in self._entries.values() if e.cmd)) or 0

    def run(self, bmc: BMC, operation: Callable[[], chassis.Operation], *, what: str,
            retry: bool = True) -> Any:
        """Run ``operation()`` (a :mod:`chassis` generator) on ``bmc``'s session.

        :param what: short name of the operation, for messages and logs.
        :param retry: False for requests that must not be sent twice (a reset).
        :raises: BMCBusy, BMCUnreachable, BMCCredentialsRefused, BMCTimeout,
            IPMICommandFailed; always within ``command_timeout`` (plus :data:`GRACE`).
        """
        return self._wait(self._submit(bmc, what, retry, operation=operation))

    def run_blocking(self, bmc: BMC, func: Callable[[Any], Any], *, what: str) -> Any:
        """Run a synchronous pyghmi call ``func(command)`` on the loop thread.

        For what has no operation (sensor reading walks the SDR repository). The
        loop does nothing else meanwhile, so other calls may reach their deadline;
        the caller's own deadline still holds. Not retried.
        """
        return self._wait(self._submit(bmc, what, False, blocking=func))

    def get_power(self, bmc: BMC) -> str:
        """Return ``'on'`` or ``'off'`` as the BMC reports it.

        :raises: what :meth:`run` raises.
        """
        return self.run(bmc, chassis.get_power, what="get power")

    def set_power(self, bmc: BMC, action: str) -> None:
        """Send Chassis Control ``action`` (``on``, ``off``, ``shutdown``...)."""
        self.run(bmc, lambda: chassis.control(action), what=f"power {action}",
                 retry=action not in ("reset", "cycle"))

    def get_power_many(self, bmcs: Iterable[BMC]) -> dict[BMC, str | IPMIError]:
        """Read the power state of many BMCs at once (no thread per BMC).

        :returns: for each BMC, ``'on'``/``'off'`` or the IPMIError it raised.
        """
        calls = {bmc: self._submit(bmc, "get power", True, operation=chassis.get_power)
                 for bmc in dict.fromkeys(bmcs)}
        results: dict[BMC, str | IPMIError] = {}
        for bmc, call in calls.items():
            try:
                results[bmc] = self._wait(call)
            except IPMIError as e:
                results[bmc] = e
        return results

    def discard(self, bmc: BMC) -> None:
        """Log out of ``bmc``'s session, if any; the next command logs in again."""
        def drop() -> None:
            entry = self._entries.get(bmc)
            if entry is not None:
                self._drop(entry, now=True)
        self._on_loop(drop, LOGOUT_WAIT)

    def close(self) -> None:
        """Log out of every BMC of this pool."""
        def drop_all() -> None:
            for entry in self._entries.values():
                self._drop(entry, now=True)
            self._entries.clear()
        self._on_loop(drop_all, LOGOUT_WAIT)

    def _on_loop(self, func: Callable[[], Any], timeout: float = 5.0) -> Any:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(func())
            except Exception as e:  # handed to the caller
                future.set_exception(e)
        self._loop.call_soon(run)
        try:
            return future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            LOG.warning("IPMI loop busy for %.1fs: gave up waiting for it",
                        self._loop.busy_for())
            return None

    def _submit(self, bmc: BMC, what: str, retry: bool, **work: Any) -> _Call:
        call = _Call(bmc, what, time.monotonic() + self.command_timeout, retry, **work)
        self._loop.call_soon(lambda: self._admit(call))
        return call

    def _wait(self, call: _Call) -> Any:
        try:
            return call.future.result(
                timeout=max(0.0, call.deadline - time.monotonic()) + GRACE)
        except concurrent.futures.TimeoutError:
            with call.lock:
                call.abandoned = True
                sent = call.sent
            if call.future.done():  # decided just now
                return call.future.result()
            raise BMCTimeout(bmc=call.bmc.label, what=call.what,
                             seconds=self.command_timeout,
                             reason=("no answer" if sent else "not sent") +
                             f"; the IPMI loop has been busy for "
                             f"{self._loop.busy_for():.1f}s") from None

    # --- loop side: calls ----------------------------------------------------------

    def _entry(self, bmc: BMC) -> _Entry:
        entry = self._entries.get(bmc)
        if entry is None:
            entry = self._entries[bmc] = _Entry(bmc)
        return entry

    def _admit(self, call: _Call) -> None:
        if call.finished or call.abandoned:
            return
        entry = self._entry(call.bmc)
        if not call.internal:
            entry.last_used = time.monotonic()
        call.timer = self._loop.call_later(call.deadline - time.monotonic(),
                                           lambda: self._expire(entry, call))
        entry.queue.append(call)
        self._advance(entry)

    def _advance(self, entry: _Entry) -> None:
        """Send the next queued call of ``entry`` if the BMC is free for it."""
        while entry.current is None:
            while entry.queue and entry.queue[0].finished:
                entry.queue.popleft()
            if not entry.queue:
                return
            now = time.monotonic()
            if entry.cmd is not None and not self._transport.alive(entry.cmd):
                self._drop(entry)
            elif entry.cmd is not None and now - entry.last_answer > self.session_max_idle:
                # BMCs expire idle sessions (often after 60 s) and then drop what
                # comes on them: logging in again costs a few round trips, finding
                # out the hard way costs a timeout.
                LOG.debug("BMC %s: session idle for %.0fs, logging in again",
                          entry.bmc.label, now - entry.last_answer)
                self._drop(entry)
            if entry.cmd is None and entry.queue[0].internal:
                entry.queue.popleft().finish()  # no session left to keep alive
                continue
            if entry.cmd is None:
                self._start_login(entry)
                return
            if now < entry.next_start or not self._transport.ready(entry.cmd):
                self._wake_at(entry, max(entry.next_start, now + 0.01))
                return
            call = entry.queue.popleft()
            with call.lock:
                if call.abandoned:
                    continue
                call.sent = True
            entry.current = call
            call.attempts += 1
            if call.blocking is not None:
                self._run_blocking(entry, call)
            else:
                call.steps = call.operation()
                self._step(entry, call, None)

    def _wake_at(self, entry: _Entry, when: float) -> None:
        if entry.turn is not None:
            entry.turn.cancel()
        entry.turn = self._loop.call_later(when - time.monotonic(),
                                           lambda: self._advance(entry))

    def _step(self, entry: _Entry, call: _Call, answer: dict[str, Any] | None) -> None:
        try:
            request = next(call.steps) if answer is None else call.steps.send(answer)
        except StopIteration as done:
            self._done(entry, call, result=done.value)
            return
        except Exception as e:  # a malformed answer: the BMC answered, do not retry
            self._done(entry, call, error=IPMICommandFailed(
                bmc=entry.bmc.label, what=call.what, reason=str(e) or repr(e)))
            return
        delay = entry.next_start - time.monotonic()
        if delay > 0:  # the next request of a multi-request operation
            self._loop.call_later(delay, lambda: self._send(entry, call, request))
        else:
            self._send(entry, call, request)

    def _send(self, entry: _Entry, call: _Call, request: chassis.Request) -> None:
        if entry.current is not call or call.finished:
            return
        cmd = entry.cmd
        netfn, command, data = request
        entry.next_start = time.monotonic() + self.min_command_interval
        try:
            # Answers are handled on the next turn, outside pyghmi's packet handling.
            self._transport.send(cmd, netfn, command, data, lambda answer: (
                self._loop.call_soon(lambda: self._answered(entry, call, cmd, answer))))
        except Exception as e:
            self._failed(entry, call, cmd, e)

    def _answered(self, entry: _Entry, call: _Call, cmd: Any, answer: dict[str, Any]
                  ) -> None:
        if entry.current is not call or entry.cmd is not cmd:
            return  # an answer after the call ended (its deadline passed)
        # Count the interval from the answer too: a BMC that queued the previous
        # request must not see the next one sooner than the interval after it.
        entry.next_start = max(entry.next_start,
                               time.monotonic() + self.min_command_interval)
        if "error" in answer:
            self._failed(entry, call, cmd, pyghmi_exc.IpmiException(
                answer["error"], answer.get("code", 0)))
            return
        entry.last_answer = time.monotonic()
        self._step(entry, call, answer)

    def _run_blocking(self, entry: _Entry, call: _Call) -> None:
        cmd = entry.cmd
        try:
            result = self._transport.run_blocking(cmd, call.blocking)
        except Exception as e:
            self._failed(entry, call, cmd, e)
            return
        entry.last_answer = time.monotonic()
        self._done(entry, call, result=result)

    def _failed(self, entry: _Entry, call: _Call, cmd: Any, error: BaseException) -> None:
        kind = classify(error)
        reason = str(error) or type(error).__name__
        if kind == CREDENTIALS:
            self._done(entry, call, error=BMCCredentialsRefused(
                bmc=entry.bmc.label, user=entry.bmc.username, reason=reason))
        elif kind == TRANSIENT or not self._transport.alive(cmd):
            self._drop(entry)
            entry.current = None
            self._retry_or_fail(entry, call, BMCTimeout(
                bmc=entry.bmc.label, what=call.what, seconds=self.command_timeout,
                reason=reason))
        else:
            self._done(entry, call, error=IPMICommandFailed(
                bmc=entry.bmc.label, what=call.what, reason=reason))

    def _retry_or_fail(self, entry: _Entry, call: _Call, error: IPMIError) -> None:
        delay = self.retry_backoff * (2 ** max(0, call.attempts - 1))
        if (call.retry and call.attempts <= self.command_retries
                and time.monotonic() + delay < call.deadline):
            LOG.warning("BMC %s: %s (attempt %d of %d), retrying in %.1fs on a new "
                        "session", entry.bmc.label, error, call.attempts,
                        1 + self.command_retries, delay)

            def again() -> None:
                if not call.finished:
                    entry.queue.appendleft(call)
                    self._advance(entry)
            self._loop.call_later(delay, again)
            self._advance(entry)
            return
        call.finish(error=error)
        self._advance(entry)

    def _done(self, entry: _Entry, call: _Call, result: Any = None,
              error: IPMIError | None = None) -> None:
        if entry.current is call:
            entry.current = None
        call.finish(result, error)
        self._plan_keepalive(entry)
        self._advance(entry)

    def _expire(self, entry: _Entry, call: _Call) -> None:
        """``call``'s deadline passed: it fails now, and nothing more is sent for it."""
        if call.finished:
            return
        with call.lock:
            sent = call.sent
        if entry.current is call:
            # The answer may just be lost: stop waiting for it but keep the session
            # (logging in again costs more round trips than a command); pyghmi
            # itself reports a session that stays silent, and it is then dropped.
            entry.current = None
            if entry.cmd is not None:
                self._transport.cancel(entry.cmd)
            error: IPMIError = BMCTimeout(bmc=entry.bmc.label, what=call.what,
                                          seconds=self.command_timeout, reason="no answer")
        elif sent:  # waiting to be retried
            error = BMCTimeout(bmc=entry.bmc.label, what=call.what,
                               seconds=self.command_timeout,
                               reason="no answer, and no new session in time")
        elif entry.login is not None or call.attempts:
            error = BMCUnreachable(bmc=entry.bmc.label, seconds=self.command_timeout)
        else:
            error = BMCBusy(bmc=entry.bmc.label, seconds=self.command_timeout,
                            ahead=sum(1 for c in entry.queue if c is not call and
                                      not c.finished) + (entry.current is not None))
        with call.lock:
            call.abandoned = True
        call.finish(error=error)
        self._advance(entry)

    # --- loop side: sessions -------------------------------------------------------

    def _start_login(self, entry: _Entry) -> None:
        if entry.login is not None:
            return
        now = time.monotonic()
        if now < entry.login_not_before:
            self._wake_at(entry, entry.login_not_before)
            return
        token = entry.login = object()
        started = now

        def done(cmd: Any, reason: str | None) -> None:
            # Inside pyghmi's callback: decide on the next loop turn.
            self._loop.call_soon(lambda: self._logged_in(entry, token, cmd, reason,
                                                         started))
        # A login outlives the call that started it: under packet loss it may take
        # longer than one call's timeout, and the calls after it use the session.
        self._loop.call_later(max(self.command_timeout, LOGIN_LIMIT),
                              lambda: self._login_timed_out(entry, token))
        try:
            entry.login_cmd = self._transport.login(entry.bmc, done)
        except Exception as e:
            self._logged_in(entry, token, None, str(e) or type(e).__name__, started)

    def _logged_in(self, entry: _Entry, token: object, cmd: Any, reason: str | None,
                   started: float) -> None:
        if entry.login is not token:
            if cmd is not None and reason is None:
                self._transport.abandon(cmd)  # a login we gave up on came through
            return
        entry.login, entry.login_cmd = None, None
        if reason is None:
            LOG.debug("BMC %s: logged in as user '%s' in %.3fs", entry.bmc.label,
                      entry.bmc.username, time.monotonic() - started)
            entry.cmd = cmd
            entry.last_answer = time.monotonic()
            self._limit_sessions()
            self._plan_keepalive(entry)
            self._advance(entry)
            return
        LOG.debug("BMC %s: login failed after %.3fs: %s", entry.bmc.label,
                  time.monotonic() - started, reason)
        if cmd is not None:
            self._transport.abandon(cmd)
        kind = classify(pyghmi_exc.IpmiException(reason))
        waiting = [c for c in entry.queue if not c.finished]
        entry.queue.clear()
        for call in waiting:
            call.attempts += 1
            if kind == CREDENTIALS:
                call.finish(error=BMCCredentialsRefused(
                    bmc=entry.bmc.label, user=entry.bmc.username, reason=reason))
            elif kind == TRANSIENT:
                entry.login_not_before = time.monotonic() + self.retry_backoff
                self._retry_or_fail(entry, call, BMCUnreachable(
                    bmc=entry.bmc.label, seconds=time.monotonic() - started))
            else:
                call.finish(error=IPMICommandFailed(bmc=entry.bmc.label,
                                                    what="log in", reason=reason))

    def _login_timed_out(self, entry: _Entry, token: object) -> None:
        if entry.login is not token:
            return
        cmd, entry.login, entry.login_cmd = entry.login_cmd, None, None
        LOG.debug("BMC %s: login gave up after %.0fs", entry.bmc.label,
                  max(self.command_timeout, LOGIN_LIMIT))
        if cmd is not None:
            self._transport.abandon(cmd)
        self._advance(entry)

    def _drop(self, entry: _Entry, now: bool = False) -> None:
        """Forget ``entry``'s session and log out of it.

        :param now: log out in this turn; otherwise on the next one, as this may run
            inside a pyghmi callback that still uses the session.
        """
        cmd, entry.cmd = entry.cmd, None
        if entry.keepalive is not None:
            entry.keepalive.cancel()
            entry.keepalive = None
        if cmd is None:
            return
        if now:
            self._transport.abandon(cmd)
        else:
            self._loop.call_soon(lambda: self._transport.abandon(cmd))

    # --- loop side: keepalives -----------------------------------------------------

    def _plan_keepalive(self, entry: _Entry) -> None:
        """(Re)arm ``entry``'s keepalive for ``keepalive_interval`` after its last answer."""
        if not self.keepalive_interval or entry.cmd is None:
            return
        if entry.keepalive is not None:
            entry.keepalive.cancel()
        when = entry.last_answer + self.keepalive_interval
        entry.keepalive = self._loop.call_later(when - time.monotonic(),
                                                lambda: self._keep_alive(entry))

    def _keep_alive(self, entry: _Entry) -> None:
        entry.keepalive = None
        if entry.cmd is None or self._entries.get(entry.bmc) is not entry:
            return
        now = time.monotonic()
        if now - entry.last_used > self.unused_logout:
            LOG.debug("BMC %s: no call for %.0fs, logging out", entry.bmc.label,
                      now - entry.last_used)
            self._drop(entry, now=True)
            return
        if entry.current is not None or entry.queue:
            return  # a command is on its way; its end plans the next keepalive
        if now - entry.last_answer < self.keepalive_interval:
            self._plan_keepalive(entry)
            return
        self._admit(_Call(entry.bmc, "keepalive", now + self.command_timeout, False,
                          operation=chassis.get_device_id, internal=True))

    def _limit_sessions(self) -> None:
        """Log out of the least recently used idle sessions beyond ``max_kept_alive``."""
        live = [e for e in self._entries.values() if e.cmd is not None]
        idle = sorted((e for e in live if e.current is None and not e.queue),
                      key=lambda e: e.last_used)
        for entry in idle[:max(0, len(live) - self.max_kept_alive)]:
            LOG.debug("BMC %s: more than %d sessions, logging out of the least "
                      "recently used", entry.bmc.label, self.max_kept_alive)
            self._drop(entry, now=True)
