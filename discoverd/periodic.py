"""discoverd's periodic tasks: one way to run a function every period in a thread.

The timeout check, the DHCP-log watcher, the PXE filter sync and the lease keeper
each call one function every ``period`` seconds until the server stops. A failing
call is logged and tried again at the next period (a database or file hiccup must
not end the task). ``wake`` runs it at once (an introspection ended: sync the filter
now); ``stop`` ends the thread without waiting out the period.

Not oslo.service: discoverd runs its periodic tasks in threads beside the WSGI
server in one process, and oslo.service's loopingcall/threadgroup would add its
eventlet-or-threading backend choice for a few loops of a few lines (issue #11 dropped
the unused dependency).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

LOG = logging.getLogger(__name__)


class Periodic:
    """Call ``work()`` every ``period`` seconds in a daemon thread.

    :param name: the thread's name.
    :param what: what ``work`` does, for the log line of a failed call.
    :param at_start: also call it as soon as the thread starts.
    """

    def __init__(self, name: str, period: float, work: Callable[[], object], what: str,
                 at_start: bool = False) -> None:
        self.period, self.work, self.what, self.at_start = period, work, what, at_start
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        """Start the thread (not when ``period`` is 0: the task is disabled)."""
        if self.period > 0:
            self._thread.start()

    def wake(self) -> None:
        """Call ``work`` now rather than at the end of the period."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _once(self) -> None:
        try:
            self.work()
        except Exception:  # the next period tries again
            LOG.exception("%s failed; retrying in %s s", self.what, self.period)

    def _run(self) -> None:
        if self.at_start:
            self._once()
        while True:
            self._wake.wait(self.period)
            self._wake.clear()
            if self._stop.is_set():
                return
            self._once()
