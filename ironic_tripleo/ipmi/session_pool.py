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

The loop side is :mod:`ironic_tripleo.ipmi.bmc_queue`. Settings are plain
constructor arguments, read at each use; the Ironic interfaces build the
process-wide instance from ``[tripleo_ipmi]`` (see ``ironic_tripleo.ipmi.conductor``).
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from ironic_tripleo.exception import BMCTimeout, IPMIError
from ironic_tripleo.ipmi import chassis, ipmi_loop
from ironic_tripleo.ipmi.bmc_queue import BmcQueues, Call
from ironic_tripleo.ipmi.driver_info import BMC
from ironic_tripleo.ipmi.pyghmi_session import PyghmiTransport

LOG = logging.getLogger(__name__)
# How long a caller waits past its deadline for the loop's own verdict on the call.
GRACE = 0.5
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
        self._queues = BmcQueues(self, self._transport, self._loop)

    # --- callers' side -------------------------------------------------------------

    def __len__(self) -> int:
        """Number of BMCs with a session open now."""
        return self._on_loop(self._queues.sessions) or 0

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
            entry = self._queues.entries.get(bmc)
            if entry is not None:
                self._queues.drop(entry, now=True)
        self._on_loop(drop, LOGOUT_WAIT)

    def close(self) -> None:
        """Log out of every BMC of this pool."""
        def drop_all() -> None:
            for entry in self._queues.entries.values():
                self._queues.drop(entry, now=True)
            self._queues.entries.clear()
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

    def _submit(self, bmc: BMC, what: str, retry: bool, **work: Any) -> Call:
        call = Call(bmc, what, time.monotonic() + self.command_timeout, retry, **work)
        self._loop.call_soon(lambda: self._queues.admit(call))
        return call

    def _wait(self, call: Call) -> Any:
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
