"""One object per conductor process, built on first use and replaceable.

The pyghmi interfaces share one IPMI session pool and the Nova interfaces one
connection registry; both are built from the configuration the first time a node
needs them (not at import: the conductor loads its configuration after importing
the drivers), and tests or a reload may swap them. ``functools.cache`` would give
the first half but no way to replace the object under a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class ProcessWide(Generic[T]):
    """The process's one ``T``, made by ``build()`` when first asked for."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        """The shared object, built now if there is none yet."""
        with self._lock:
            if self._value is None:
                self._value = self._build()
            return self._value

    def replace(self, value: T | None) -> T | None:
        """Put ``value`` in place (None: build again on next use).

        :returns: the previous object, which the caller may close.
        """
        with self._lock:
            previous, self._value = self._value, value
        return previous
