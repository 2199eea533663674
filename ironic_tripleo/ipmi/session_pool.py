"""One long-lived pyghmi session per BMC, shared by every thread of the process.

A :class:`SessionPool` keeps one logged-in ``pyghmi.ipmi.command.Command`` per
:class:`~ironic_tripleo.ipmi.driver_info.BMC` and runs callables against it with:

- a per-BMC minimum interval between the starts of two commands,
- a per-BMC cap on commands in flight,
- a timeout on every command (and on logging in), enforced from outside pyghmi,
- retries with backoff on a fresh session when the BMC did not answer (BMC
  restarted, session timed out); errors the BMC answered with are not retried.

Settings are plain constructor arguments; the Ironic interfaces build the
process-wide instance from ``[tripleo_ipmi]`` (see ``ironic_tripleo.ipmi.conductor``).
Credentials go to pyghmi as bytes: with ``str``, a second ``Command`` to the same
BMC in one process hangs forever.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from ironic_tripleo.exception import (
    BMCBusy,
    BMCCredentialsRefused,
    BMCTimeout,
    BMCUnreachable,
    IPMICommandFailed,
    IPMIError,
)
from ironic_tripleo.ipmi import chassis
from ironic_tripleo.ipmi.driver_info import BMC
from ironic_tripleo.ipmi.errors import ANSWERED, CREDENTIALS, TRANSIENT, classify
from ironic_tripleo.ipmi.pyghmi_session import (
    LOGOUT_WAIT,
    TimedOut,
    call_with_timeout,
    logout,
    pyghmi_connect,
    session_alive,
)

LOG = logging.getLogger(__name__)
T = TypeVar("T")
Connector = Callable[[BMC], Any]
class _Entry:
    """State kept for one BMC."""

    def __init__(self, max_concurrent: int) -> None:
        self.lock = threading.Lock()
        self.login_lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(max_concurrent)
        self.command: Any = None
        self.next_start = 0.0
        self.last_answer = 0.0  # when the BMC last answered on this session


class SessionPool:
    """Long-lived IPMI sessions, one per BMC, safe to share between threads.

    :param command_timeout: seconds allowed for one command (or one login).
    :param command_retries: retries on a fresh session after no answer.
    :param retry_backoff: seconds before the first retry, doubled each time.
    :param min_command_interval: minimum seconds between command starts per BMC.
    :param max_concurrent_commands: commands in flight per BMC.
    :param session_max_idle: seconds a session may go unanswered before it is
        replaced by a new login rather than trusted (BMCs expire idle sessions).
    :param connect: logs in to a BMC and returns a pyghmi ``Command``-like object.
    :param clock: monotonic clock (tests pass their own).
    :param sleep: sleep function (tests pass their own).
    """

    def __init__(self, *, command_timeout: float = 10.0, command_retries: int = 1,
                 retry_backoff: float = 0.5, min_command_interval: float = 0.0,
                 max_concurrent_commands: int = 1, session_max_idle: float = 25.0,
                 connect: Connector = pyghmi_connect,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if max_concurrent_commands < 1:
            raise ValueError("max_concurrent_commands must be at least 1")
        self.command_timeout = command_timeout
        self.command_retries = command_retries
        self.retry_backoff = retry_backoff
        self.min_command_interval = min_command_interval
        self.max_concurrent_commands = max_concurrent_commands
        self.session_max_idle = session_max_idle
        self._connect = connect
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._entries: dict[BMC, _Entry] = {}

    def __len__(self) -> int:
        """Number of BMCs with a session open now."""
        with self._lock:
            return sum(1 for e in self._entries.values() if e.command is not None)

    def run(self, bmc: BMC, func: Callable[..., T], *, what: str,
            retry: bool = True, bounded: bool = False) -> T:
        """Run ``func(command)`` on the shared session of ``bmc``.

        :param bmc: the BMC to talk to.
        :param func: called with the pyghmi ``Command``; its result is returned.
        :param what: short name of the operation, for messages and logs.
        :param retry: False for commands that must not be sent twice (a reset).
        :param bounded: ``func(command, timeout)`` keeps the deadline itself (raising
            TimedOut) and runs in this thread; otherwise it runs on a runner thread.
        :raises: BMCBusy, BMCUnreachable, BMCCredentialsRefused, BMCTimeout,
            IPMICommandFailed.
        """
        entry = self._entry(bmc)
        if not entry.slots.acquire(timeout=self.command_timeout):
            raise BMCBusy(bmc=bmc.label, limit=self.max_concurrent_commands,
                          seconds=self.command_timeout)
        try:
            attempts = 1 + (self.command_retries if retry else 0)
            for attempt in range(attempts):
                try:
                    return self._attempt(entry, bmc, func, what, bounded)
                except (BMCUnreachable, BMCTimeout) as e:
                    if attempt + 1 >= attempts:
                        raise
                    delay = self.retry_backoff * (2 ** attempt)
                    LOG.warning("BMC %s: %s (attempt %d of %d), retrying in %.1fs on a "
                                "new session", bmc.label, e, attempt + 1, attempts, delay)
                    self._sleep(delay)
            raise AssertionError("unreachable")  # pragma: no cover
        finally:
            entry.slots.release()

    def get_power(self, bmc: BMC) -> str:
        """Return ``'on'`` or ``'off'`` as the BMC reports it.

        :raises: what :meth:`run` raises.
        """
        return self.run(bmc, chassis.get_power, what="get power", bounded=True)

    def get_power_many(self, bmcs: Iterable[BMC], max_workers: int = 64
                       ) -> dict[BMC, str | IPMIError]:
        """Read the power state of many BMCs in parallel.

        :param bmcs: the BMCs (each keeps its own limits: interval, cap, timeout).
        :param max_workers: threads used at once.
        :returns: for each BMC, ``'on'``/``'off'`` or the IPMIError it raised.
        """
        def one(bmc: BMC) -> str | IPMIError:
            try:
                return self.get_power(bmc)
            except IPMIError as e:
                return e

        unique = list(dict.fromkeys(bmcs))
        with concurrent.futures.ThreadPoolExecutor(max_workers=max_workers) as executor:
            return dict(zip(unique, executor.map(one, unique), strict=True))

    def discard(self, bmc: BMC) -> None:
        """Log out of ``bmc``'s session, if any; the next command logs in again."""
        with self._lock:
            entry = self._entries.get(bmc)
        if entry is not None:
            self._drop(entry, entry.command, LOGOUT_WAIT)

    def close(self) -> None:
        """Log out of every BMC."""
        with self._lock:
            entries = list(self._entries.values())
            self._entries.clear()
        workers = [threading.Thread(target=self._drop, args=(e, e.command, LOGOUT_WAIT),
                                    daemon=True) for e in entries if e.command is not None]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

    def _entry(self, bmc: BMC) -> _Entry:
        with self._lock:
            entry = self._entries.get(bmc)
            if entry is None:
                entry = self._entries[bmc] = _Entry(self.max_concurrent_commands)
            return entry

    def _wait_turn(self, entry: _Entry) -> None:
        with entry.lock:
            now = self._clock()
            start = max(now, entry.next_start)
            entry.next_start = start + self.min_command_interval
        if start > now:
            self._sleep(start - now)

    def _attempt(self, entry: _Entry, bmc: BMC, func: Callable[..., T], what: str,
                 bounded: bool = False) -> T:
        # Log in first: the interval counts between commands as they are sent, and a
        # slow login must not use up the wait that keeps the next command away.
        cmd = self._session(entry, bmc)
        self._wait_turn(entry)
        started = self._clock()
        try:
            if bounded:
                result = func(cmd, self.command_timeout)
            else:
                result = call_with_timeout(lambda: func(cmd), self.command_timeout,
                                           f"ipmi-{bmc.label}")
            entry.last_answer = self._clock()
            return result
        except TimedOut:
            self._drop(entry, cmd)
            raise BMCTimeout(bmc=bmc.label, what=what, seconds=self.command_timeout,
                             reason="no answer") from None
        except Exception as e:
            kind = classify(e)
            if kind == TRANSIENT or not session_alive(cmd):
                self._drop(entry, cmd)
                raise BMCTimeout(bmc=bmc.label, what=what,
                                 seconds=self._clock() - started,
                                 reason=str(e) or type(e).__name__) from e
            if kind == CREDENTIALS:
                raise BMCCredentialsRefused(bmc=bmc.label, user=bmc.username,
                                            reason=str(e)) from e
            raise IPMICommandFailed(bmc=bmc.label, what=what,
                                    reason=str(e) or repr(e)) from e

    def _session(self, entry: _Entry, bmc: BMC) -> Any:
        """Return the live session of ``bmc``, logging in if there is none."""
        if not entry.login_lock.acquire(timeout=self.command_timeout):
            raise BMCTimeout(bmc=bmc.label, what="log in", seconds=self.command_timeout,
                             reason="another thread is still logging in")
        try:
            cmd = entry.command
            idle = self._clock() - entry.last_answer
            if cmd is not None and session_alive(cmd) and idle <= self.session_max_idle:
                return cmd
            if cmd is not None and idle > self.session_max_idle:
                # BMCs expire idle sessions (often after 60 s) and then drop what
                # comes on them: logging in again costs a few round trips, finding
                # out the hard way costs a command timeout.
                LOG.debug("BMC %s: session idle for %.0fs, logging in again",
                          bmc.label, idle)
            if cmd is not None:
                self._drop(entry, cmd)
            started = self._clock()
            try:
                cmd = call_with_timeout(lambda: self._connect(bmc), self.command_timeout,
                                         f"ipmi-login-{bmc.label}")
            except TimedOut:
                raise BMCUnreachable(bmc=bmc.label, seconds=self.command_timeout) from None
            except Exception as e:
                kind = classify(e)
                if kind == CREDENTIALS:
                    raise BMCCredentialsRefused(bmc=bmc.label, user=bmc.username,
                                                reason=str(e)) from e
                if kind == ANSWERED:
                    raise IPMICommandFailed(bmc=bmc.label, what="log in",
                                            reason=str(e) or repr(e)) from e
                raise BMCUnreachable(bmc=bmc.label,
                                     seconds=self._clock() - started) from e
            LOG.debug("BMC %s: logged in as user '%s' in %.3fs", bmc.label,
                      bmc.username, self._clock() - started)
            with entry.lock:
                entry.command = cmd
                entry.last_answer = self._clock()
            return cmd
        finally:
            entry.login_lock.release()

    def _drop(self, entry: _Entry, cmd: Any, wait: float = 0.0) -> None:
        """Forget ``cmd`` as ``entry``'s session and log out of it.

        :param wait: 0 for a session that failed (do not wait on it), else how long
            a healthy one may take to log out.
        """
        if cmd is None:
            return
        with entry.lock:
            if entry.command is cmd:
                entry.command = None
        logout(cmd, wait)
