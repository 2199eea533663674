"""The one thread that runs pyghmi: its event loop, every session, every call.

Why we own the loop: pyghmi 1.6 keeps process-wide state (sessions by BMC address,
the tables of sessions waiting for an answer and of sessions to keep alive) under
two module locks, ``KEEPALIVE_SESSIONS`` and ``WAITING_SESSIONS``, and every thread
that sends a command or waits for an answer runs pyghmi's shared event loop and
takes those locks. Under packet loss two threads (one pumping packets, one logging
in) each waited for the lock the other held, and power calls hung for minutes
despite their timeout. A timeout enforced by leaving the stuck thread behind only
moves the hang elsewhere.

So exactly one thread, the loop thread, ever calls into pyghmi: it logs in, sends
(with pyghmi's callback API, which does not wait), pumps pyghmi's event loop and
logs out. Other threads hand it work with :meth:`EventLoop.call_soon` and wait on a
future with their own deadline; that deadline holds whatever happens inside pyghmi,
even if this thread were stuck. Work run here must not block: it sends and returns.
Timers (:meth:`EventLoop.call_later`) give deadlines, retries and keepalives.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

LOG = logging.getLogger(__name__)

Pump = Callable[[float], None]


class Timer:
    """A call scheduled with :meth:`EventLoop.call_later`; ``cancel()`` drops it."""

    __slots__ = ("when", "func", "cancelled")

    def __init__(self, when: float, func: Callable[[], Any]) -> None:
        self.when = when
        self.func = func
        self.cancelled = False

    def cancel(self) -> None:
        """Do not run this timer (safe from any thread, and after it ran)."""
        self.cancelled = True


class EventLoop:
    """A daemon thread running queued calls, timers and an I/O ``pump``.

    :param pump: waits up to its argument in seconds for I/O and handles it (for
        pyghmi: its ``wait_for_rsp``); called only on the loop thread.
    :param kick: makes a ``pump`` in progress return early; called from any thread.
    :param name: thread name.
    :param max_wait: longest single ``pump`` wait, a fallback should ``kick`` fail.
    """

    def __init__(self, pump: Pump, kick: Callable[[], None], name: str = "ipmi-loop",
                 max_wait: float = 0.2) -> None:
        self._pump = pump
        self._kick = kick
        self.name = name
        self.max_wait = max_wait
        self._lock = threading.Lock()
        self._ready: deque[Callable[[], Any]] = deque()
        self._timers: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None
        self._pumping = False
        self._busy_since: float | None = None

    def in_loop(self) -> bool:
        """True when called on the loop thread."""
        return threading.current_thread() is self._thread

    def call_soon(self, func: Callable[[], Any]) -> None:
        """Run ``func()`` on the loop thread as soon as possible (thread-safe)."""
        with self._lock:
            self._ready.append(func)
            self._ensure_thread()
            pumping = self._pumping
        if pumping and not self.in_loop():
            self._kick()

    def call_later(self, delay: float, func: Callable[[], Any]) -> Timer:
        """Run ``func()`` on the loop thread after ``delay`` seconds (thread-safe)."""
        timer = Timer(time.monotonic() + max(0.0, delay), func)
        with self._lock:
            heapq.heappush(self._timers, (timer.when, next(self._seq), timer))
            self._ensure_thread()
            pumping = self._pumping
        if pumping and not self.in_loop():
            self._kick()
        return timer

    def busy_for(self) -> float:
        """Seconds the loop has spent in its current call or pump (0 when between)."""
        since = self._busy_since
        return 0.0 if since is None else time.monotonic() - since

    def _ensure_thread(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            self._run_ready()
            self._run_timers()
            with self._lock:
                if self._ready:
                    continue
                wait = self.max_wait
                if self._timers:
                    wait = min(wait, max(0.0, self._timers[0][0] - time.monotonic()))
                self._pumping = True
            self._busy_since = time.monotonic()
            try:
                self._pump(wait)
            except Exception:  # pyghmi failing must not end the loop for every BMC
                LOG.exception("IPMI event loop: pyghmi's event loop raised")
            finally:
                self._busy_since = None
                with self._lock:
                    self._pumping = False

    def _run_ready(self) -> None:
        while True:
            with self._lock:
                if not self._ready:
                    return
                func = self._ready.popleft()
            self._call(func)

    def _run_timers(self) -> None:
        now = time.monotonic()
        while True:
            with self._lock:
                if not self._timers or self._timers[0][0] > now:
                    return
                _, _, timer = heapq.heappop(self._timers)
            if not timer.cancelled:
                self._call(timer.func)

    def _call(self, func: Callable[[], Any]) -> None:
        self._busy_since = time.monotonic()
        try:
            func()
        except Exception:  # a bug in one call must not stop the others
            LOG.exception("IPMI event loop: a scheduled call raised")
        finally:
            self._busy_since = None
