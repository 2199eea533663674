"""The loop side of the session pool: per BMC, one session and a queue of calls.

Everything here runs on the loop thread of :mod:`ironic_tripleo.ipmi.ipmi_loop`
(see :mod:`ironic_tripleo.ipmi.session_pool` for the guarantees). A
:class:`BmcQueues` sends each BMC's calls one at a time on its session, at least the
minimum interval apart, logs in when there is no session, retries within a call's
deadline, fails a call when its deadline passes, and keeps idle sessions alive.
Only a call's future and its ``sent``/``abandoned`` flags are shared with the
caller's thread (under the call's lock).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import ipaddress
import logging
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
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
from ironic_tripleo.ipmi.failure_kind import CREDENTIALS, TRANSIENT, classify

LOG = logging.getLogger(__name__)
# Host names of BMCs are resolved here, never on the loop thread.
_RESOLVER = concurrent.futures.ThreadPoolExecutor(4, thread_name_prefix="ipmi-resolve")
# Longest a login may go on (pyghmi itself gives up after a few seconds of silence).
LOGIN_LIMIT = 30.0


class Call:
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


class BmcState:
    """What the loop knows of one BMC."""

    def __init__(self, bmc: BMC) -> None:
        self.bmc = bmc
        self.cmd: Any = None            # the logged-in session (pyghmi Command)
        self.login: object | None = None  # token of the login in progress
        self.login_cmd: Any = None
        self.login_not_before = 0.0
        self.queue: deque[Call] = deque()
        self.current: Call | None = None
        self.next_start = 0.0
        self.last_answer = 0.0
        self.last_used = 0.0  # when a caller last asked for this BMC
        self.turn: ipmi_loop.Timer | None = None
        self.keepalive: ipmi_loop.Timer | None = None


def _is_ip(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


class BmcQueues:
    """The per-BMC state of one pool, driven on the loop thread.

    :param settings: the pool, read for its settings at each use (``command_timeout``,
        ``command_retries``, ``retry_backoff``, ``min_command_interval``,
        ``session_max_idle``, ``keepalive_interval``, ``max_kept_alive``,
        ``unused_logout``).
    :param transport: the pyghmi edge.
    :param loop: the loop thread.
    """

    def __init__(self, settings: Any, transport: Any, loop: ipmi_loop.EventLoop) -> None:
        self.settings = settings
        self._transport = transport
        self._loop = loop
        self.entries: dict[BMC, BmcState] = {}

    def sessions(self) -> int:
        """Number of BMCs with a session open now."""
        return sum(1 for e in self.entries.values() if e.cmd)

    # --- calls -------------------------------------------------------------------------

    def entry(self, bmc: BMC) -> BmcState:
        """The state of ``bmc``, created on first use."""
        entry = self.entries.get(bmc)
        if entry is None:
            entry = self.entries[bmc] = BmcState(bmc)
        return entry

    def admit(self, call: Call) -> None:
        """Queue ``call`` for its BMC (on the loop thread)."""
        if call.finished or call.abandoned:
            return
        entry = self.entry(call.bmc)
        if not call.internal:
            entry.last_used = time.monotonic()
        call.timer = self._loop.call_later(call.deadline - time.monotonic(),
                                           lambda: self._expire(entry, call))
        entry.queue.append(call)
        self._advance(entry)

    def _advance(self, entry: BmcState) -> None:
        """Send the next queued call of ``entry`` if the BMC is free for it."""
        while entry.current is None:
            while entry.queue and entry.queue[0].finished:
                entry.queue.popleft()
            if not entry.queue:
                return
            now = time.monotonic()
            if entry.cmd is not None and not self._transport.alive(entry.cmd):
                self.drop(entry)
            elif entry.cmd is not None and now - entry.last_answer > self.settings.session_max_idle:
                # BMCs expire idle sessions (often after 60 s) and then drop what
                # comes on them: logging in again costs a few round trips, finding
                # out the hard way costs a timeout.
                LOG.debug("BMC %s: session idle for %.0fs, logging in again",
                          entry.bmc.label, now - entry.last_answer)
                self.drop(entry)
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

    def _wake_at(self, entry: BmcState, when: float) -> None:
        if entry.turn is not None:
            entry.turn.cancel()
        entry.turn = self._loop.call_later(when - time.monotonic(),
                                           lambda: self._advance(entry))

    def _step(self, entry: BmcState, call: Call, answer: dict[str, Any] | None) -> None:
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

    def _send(self, entry: BmcState, call: Call, request: chassis.Request) -> None:
        if entry.current is not call or call.finished:
            return
        cmd = entry.cmd
        netfn, command, data = request
        entry.next_start = time.monotonic() + self.settings.min_command_interval
        try:
            # Answers are handled on the next turn, outside pyghmi's packet handling.
            self._transport.send(cmd, netfn, command, data, lambda answer: (
                self._loop.call_soon(lambda: self._answered(entry, call, cmd, answer))))
        except Exception as e:
            self._failed(entry, call, cmd, e)

    def _answered(self, entry: BmcState, call: Call, cmd: Any, answer: dict[str, Any]
                  ) -> None:
        if entry.current is not call or entry.cmd is not cmd:
            return  # an answer after the call ended (its deadline passed)
        # Count the interval from the answer too: a BMC that queued the previous
        # request must not see the next one sooner than the interval after it.
        entry.next_start = max(entry.next_start,
                               time.monotonic() + self.settings.min_command_interval)
        if "error" in answer:
            self._failed(entry, call, cmd, pyghmi_exc.IpmiException(
                answer["error"], answer.get("code", 0)))
            return
        entry.last_answer = time.monotonic()
        self._step(entry, call, answer)

    def _run_blocking(self, entry: BmcState, call: Call) -> None:
        cmd = entry.cmd
        try:
            result = self._transport.run_blocking(cmd, call.blocking)
        except Exception as e:
            self._failed(entry, call, cmd, e)
            return
        entry.last_answer = time.monotonic()
        self._done(entry, call, result=result)

    def _failed(self, entry: BmcState, call: Call, cmd: Any, error: BaseException) -> None:
        kind = classify(error)
        reason = str(error) or type(error).__name__
        if kind == CREDENTIALS:
            self._done(entry, call, error=BMCCredentialsRefused(
                bmc=entry.bmc.label, user=entry.bmc.username, reason=reason))
        elif kind == TRANSIENT or not self._transport.alive(cmd):
            self.drop(entry)
            entry.current = None
            self._retry_or_fail(entry, call, BMCTimeout(
                bmc=entry.bmc.label, what=call.what, seconds=self.settings.command_timeout,
                reason=reason))
        else:
            self._done(entry, call, error=IPMICommandFailed(
                bmc=entry.bmc.label, what=call.what, reason=reason))

    def _retry_or_fail(self, entry: BmcState, call: Call, error: IPMIError) -> None:
        delay = self.settings.retry_backoff * (2 ** max(0, call.attempts - 1))
        if (call.retry and call.attempts <= self.settings.command_retries
                and time.monotonic() + delay < call.deadline):
            LOG.warning("BMC %s: %s (attempt %d of %d), retrying in %.1fs on a new "
                        "session", entry.bmc.label, error, call.attempts,
                        1 + self.settings.command_retries, delay)

            def again() -> None:
                if not call.finished:
                    entry.queue.appendleft(call)
                    self._advance(entry)
            self._loop.call_later(delay, again)
            self._advance(entry)
            return
        call.finish(error=error)
        self._advance(entry)

    def _done(self, entry: BmcState, call: Call, result: Any = None,
              error: IPMIError | None = None) -> None:
        if entry.current is call:
            entry.current = None
        call.finish(result, error)
        self._plan_keepalive(entry)
        self._advance(entry)

    def _expire(self, entry: BmcState, call: Call) -> None:
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
                                          seconds=self.settings.command_timeout, reason="no answer")
        elif sent:  # waiting to be retried
            error = BMCTimeout(bmc=entry.bmc.label, what=call.what,
                               seconds=self.settings.command_timeout,
                               reason="no answer, and no new session in time")
        elif entry.login is not None or call.attempts:
            error = BMCUnreachable(bmc=entry.bmc.label, seconds=self.settings.command_timeout)
        else:
            error = BMCBusy(bmc=entry.bmc.label, seconds=self.settings.command_timeout,
                            ahead=sum(1 for c in entry.queue if c is not call and
                                      not c.finished) + (entry.current is not None))
        with call.lock:
            call.abandoned = True
        call.finish(error=error)
        self._advance(entry)

    # --- sessions ----------------------------------------------------------------------

    def _start_login(self, entry: BmcState) -> None:
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
        self._loop.call_later(max(self.settings.command_timeout, LOGIN_LIMIT),
                              lambda: self._login_timed_out(entry, token))
        if _is_ip(entry.bmc.address):
            self._log_in(entry, entry.bmc, token, done, started)
            return
        # pyghmi would resolve a host name on this thread, stalling every BMC.
        resolving = _RESOLVER.submit(socket.getaddrinfo, entry.bmc.address,
                                     entry.bmc.port, 0, socket.SOCK_DGRAM)
        resolving.add_done_callback(lambda f: self._loop.call_soon(
            lambda: self._resolved(entry, token, f, done, started)))

    def _resolved(self, entry: BmcState, token: object,
                  resolving: concurrent.futures.Future[Any], done: Callable[..., None],
                  started: float) -> None:
        if entry.login is not token:
            return
        try:
            address = resolving.result()[0][4][0]
        except (OSError, IndexError) as e:
            self._logged_in(entry, token, None,
                            f"cannot resolve {entry.bmc.address}: {e}", started)
            return
        self._log_in(entry, dataclasses.replace(entry.bmc, address=address), token,
                     done, started)

    def _log_in(self, entry: BmcState, bmc: BMC, token: object,
                done: Callable[..., None], started: float) -> None:
        try:
            entry.login_cmd = self._transport.login(bmc, done)
        except Exception as e:
            self._logged_in(entry, token, None, str(e) or type(e).__name__, started)

    def _logged_in(self, entry: BmcState, token: object, cmd: Any, reason: str | None,
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
                entry.login_not_before = time.monotonic() + self.settings.retry_backoff
                self._retry_or_fail(entry, call, BMCUnreachable(
                    bmc=entry.bmc.label, seconds=time.monotonic() - started))
            else:
                call.finish(error=IPMICommandFailed(bmc=entry.bmc.label,
                                                    what="log in", reason=reason))

    def _login_timed_out(self, entry: BmcState, token: object) -> None:
        if entry.login is not token:
            return
        cmd, entry.login, entry.login_cmd = entry.login_cmd, None, None
        LOG.debug("BMC %s: login gave up after %.0fs", entry.bmc.label,
                  max(self.settings.command_timeout, LOGIN_LIMIT))
        if cmd is not None:
            self._transport.abandon(cmd)
        self._advance(entry)

    def drop(self, entry: BmcState, now: bool = False) -> None:
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

    # --- keepalives --------------------------------------------------------------------

    def _plan_keepalive(self, entry: BmcState) -> None:
        """(Re)arm ``entry``'s keepalive for ``keepalive_interval`` after its last answer."""
        if not self.settings.keepalive_interval or entry.cmd is None:
            return
        if entry.keepalive is not None:
            entry.keepalive.cancel()
        when = entry.last_answer + self.settings.keepalive_interval
        entry.keepalive = self._loop.call_later(when - time.monotonic(),
                                                lambda: self._keep_alive(entry))

    def _keep_alive(self, entry: BmcState) -> None:
        entry.keepalive = None
        if entry.cmd is None or self.entries.get(entry.bmc) is not entry:
            return
        now = time.monotonic()
        if now - entry.last_used > self.settings.unused_logout:
            LOG.debug("BMC %s: no call for %.0fs, logging out", entry.bmc.label,
                      now - entry.last_used)
            self.drop(entry, now=True)
            return
        if entry.current is not None or entry.queue:
            return  # a command is on its way; its end plans the next keepalive
        if now - entry.last_answer < self.settings.keepalive_interval:
            self._plan_keepalive(entry)
            return
        self.admit(Call(entry.bmc, "keepalive", now + self.settings.command_timeout, False,
                          operation=chassis.get_device_id, internal=True))

    def _limit_sessions(self) -> None:
        """Log out of the least recently used idle sessions beyond ``max_kept_alive``."""
        live = [e for e in self.entries.values() if e.cmd is not None]
        idle = sorted((e for e in live if e.current is None and not e.queue),
                      key=lambda e: e.last_used)
        for entry in idle[:max(0, len(live) - self.settings.max_kept_alive)]:
            LOG.debug("BMC %s: more than %d sessions, logging out of the least "
                      "recently used", entry.bmc.label, self.settings.max_kept_alive)
            self.drop(entry, now=True)
