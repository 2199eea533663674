"""The pyghmi edge of the session pool: log in, call with a timeout, log out.

pyghmi may block far longer than we allow (or forever), keeps its own cache of
sessions per BMC, and needs credentials as bytes (with ``str``, a second
``Command`` to the same BMC in one process hangs forever).
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from ironic_tripleo.ipmi.driver_info import BMC

T = TypeVar("T")
# How long a healthy session may take to log out before it is just marked broken.
LOGOUT_WAIT = 1.5


def pyghmi_connect(bmc: BMC, timeout: float = 60.0) -> Any:
    """Log in to ``bmc`` with pyghmi and return the ``Command`` (blocks until done).

    The login runs in pyghmi's asynchronous mode and this thread runs pyghmi's loop
    until the login callback. pyghmi's synchronous login has a race: when another
    thread handles the packet that fails the login, the waiting constructor can read
    the session's ``errormsg`` before it is set and raise AttributeError instead of
    the BMC's reason (wrong password, unknown user). The callback gets the reason.

    :param timeout: seconds before giving up (the pool's own limit is usually shorter).
    :raises: pyghmi's IpmiException with the BMC's reason when the login fails;
        TimedOut when it did not end in ``timeout``.
    """
    from pyghmi import exceptions as pyghmi_exc
    from pyghmi.ipmi import command
    from pyghmi.ipmi.private import session as pyghmi_private

    outcome: dict[str, Any] = {}
    done = threading.Event()

    def on_logon(response: dict[str, Any], cmd: Any) -> None:
        outcome.update(response)
        done.set()

    cmd = command.Command(bmc=bmc.address, port=bmc.port,
                          userid=bmc.username.encode("utf-8"),
                          password=bmc.password.encode("utf-8"),
                          kg=bmc.kg_key, privlevel=bmc.priv_level, onlogon=on_logon)
    deadline = time.monotonic() + timeout
    while not done.is_set():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            logout(cmd, 0)
            raise TimedOut(f"log in to {bmc.label}")
        pyghmi_private.Session.wait_for_rsp(timeout=min(remaining, 0.2))
    if "error" in outcome:
        raise pyghmi_exc.IpmiException(outcome["error"])
    return cmd


LOG = logging.getLogger(__name__)


class TimedOut(Exception):
    """``call_with_timeout`` gave up waiting."""


class _Call:
    """One call handed to a runner thread, and its outcome."""

    __slots__ = ("func", "done", "value", "error")

    def __init__(self, func: Callable[[], Any]) -> None:
        self.func = func
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.value = self.func()
        except BaseException as e:  # handed to the caller
            self.error = e
        finally:
            self.done.set()


class CallRunner:
    """Daemon threads, reused from call to call, that run blocking pyghmi calls.

    A thread a call per command cost most of a warm power read; reusing threads
    keeps the timeout guarantee without that. A new thread starts whenever every
    thread is busy (one stuck on a BMC that never answers included), so a waiting
    call never queues behind a hung one; ``max_threads`` bounds that growth.
    Threads are daemons: a hung call never keeps the process from exiting.
    """

    def __init__(self, max_threads: int = 512) -> None:
        self.max_threads = max_threads
        self._queue: queue.SimpleQueue[_Call] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0
        self._pending = 0

    def submit(self, func: Callable[[], Any]) -> _Call:
        """Queue ``func``; returns the call to wait on."""
        call = _Call(func)
        with self._lock:
            self._pending += 1
            start = self._pending > self._idle and self._threads < self.max_threads
            if start:
                self._threads += 1
                self._idle += 1
        if start:
            threading.Thread(target=self._work, name="ipmi-call", daemon=True).start()
        self._queue.put(call)
        return call

    def _work(self) -> None:
        while True:
            call = self._queue.get()
            with self._lock:
                self._pending -= 1
                self._idle -= 1
            call.run()
            with self._lock:
                self._idle += 1


_RUNNER = CallRunner()


def call_with_timeout(func: Callable[[], T], timeout: float, name: str) -> T:
    """Run ``func`` on a runner thread; raise TimedOut if it is not done in time.

    A call that times out is left to finish on its own thread.

    :param name: what is called, for the timeout message of the caller.
    :raises: TimedOut, or whatever ``func`` raised.
    """
    call = _RUNNER.submit(func)
    if not call.done.wait(timeout):
        raise TimedOut(name)
    if call.error is not None:
        raise call.error
    return call.value


def raw_command(cmd: Any, netfn: int, command: int, data: tuple[int, ...] = (),
                timeout: float = 10.0) -> dict[str, Any]:
    """Send one raw IPMI request on ``cmd``'s session; wait for it in this thread.

    The request goes out with a pyghmi callback and the calling thread runs
    pyghmi's event loop until the answer arrives or ``timeout`` passes. Unlike
    :func:`call_with_timeout`, no other thread is involved, which is what keeps
    many concurrent power reads cheap; the deadline is still ours, not pyghmi's
    (its own retries give up far later).

    :returns: pyghmi's response dict (``data``, ``code``, ``error`` on failure).
    :raises: TimedOut when no answer came in time; pyghmi's IpmiException when
        the session is no longer connected.
    """
    from pyghmi.ipmi.private.util import get_ipmi_error

    session = cmd.ipmi_session
    # pyghmi's event loop, shared by every session of the process (a class method).
    full_pump = type(session).wait_for_rsp
    quick_pump = _packet_pump(session)
    answer: dict[str, Any] = {}
    done = threading.Event()

    def on_response(response: dict[str, Any]) -> None:
        error = get_ipmi_error(response)
        if error:
            response["error"] = error
        answer.update(response)
        # With a callback pyghmi leaves the end of the command to the caller.
        session.incommand = False
        while session.evq:
            session.evq.popleft().set()
        done.set()

    now = time.monotonic()
    deadline = now + timeout
    next_full = now + _FULL_PUMP_EVERY
    session.raw_command(netfn=netfn, command=command, data=data, callback=on_response)
    while not done.is_set():
        now = time.monotonic()
        remaining = deadline - now
        if remaining <= 0:
            raise TimedOut(f"netfn {netfn:#x} command {command:#x}")
        if quick_pump is None or now >= next_full:
            full_pump(timeout=min(remaining, 0.2))
            next_full = time.monotonic() + _FULL_PUMP_EVERY
        else:
            quick_pump(min(remaining, next_full - now))
    return answer


# pyghmi's full loop also runs every session's retransmit and keepalive timers, a
# scan of all sessions each time; waiting answers mostly need only the packets.
_FULL_PUMP_EVERY = 0.5


def _packet_pump(session: Any) -> Callable[[float], None] | None:
    """Return a function handling arrived packets of pyghmi's sessions, or None.

    It is the packet half of pyghmi's ``Session.wait_for_rsp``, built from the
    module of ``session``'s class; None where that module does not have it (another
    pyghmi version, a test double), and callers then use the full loop only.
    """
    module = sys.modules.get(type(session).__module__)
    poller = getattr(module, "_poller", None)
    queue_ = getattr(module, "sessionqueue", None)
    if poller is None or queue_ is None:
        return None

    def pump(timeout: float) -> None:
        if poller(timeout=timeout):
            while queue_:
                queue_.popleft().process_pktqueue()

    return pump


def session_alive(cmd: Any) -> bool:
    """False once pyghmi marked the session of ``cmd`` broken or logged out."""
    session = getattr(cmd, "ipmi_session", None)
    if session is None:
        return True
    return not getattr(session, "broken", False) and bool(getattr(session, "logged", True))


def logout(cmd: Any, wait: float) -> None:
    """Log out of a session we no longer use, waiting at most ``wait`` seconds.

    A session that did not answer is first marked broken: pyghmi hands a session it
    still thinks valid to the next ``Command()`` for the same BMC, and its logout
    would wait for the hung command.
    """
    session = getattr(cmd, "ipmi_session", None)
    if session is None or getattr(session, "broken", True):
        return
    if not wait:
        session.broken = True

    def log_out() -> None:
        try:
            session.logout()
        except Exception as e:  # a session we are leaving: nothing more to do with it
            LOG.debug("logout of an abandoned IPMI session failed: %s", e)

    worker = threading.Thread(target=log_out, name="ipmi-logout", daemon=True)
    worker.start()
    worker.join(wait)
    if worker.is_alive():
        session.broken = True
