"""A machine that exists only in memory: for tests, demos and benchmarks.

Thread-safe. ``delay`` makes every call slow (a BMC that answers late), ``fail``
makes every call raise (a broken backend): both for fault tests. It counts
calls, so a test can check that a refused login changed nothing.
"""

from __future__ import annotations

import collections
import contextlib
import threading
import time
from collections.abc import Iterator

from ironic_tripleo.vbmc.backend import BootDevice, NodeBackend, PowerState
from ironic_tripleo.vbmc.exception import MemoryBackendError


class MemoryBackend(NodeBackend):
    """In-memory power state and boot device.

    :param power: initial power state, ``"on"`` or ``"off"``.
    :param boot_device: initial boot device (``pxe``, ``disk``, ``cdrom``, ``bios``).
    :param persistent: whether the initial boot device is persistent.
    :param delay: seconds every call sleeps before acting.
    :param fail: make every call raise :class:`MemoryBackendError`.
    :param soft_off_delay: seconds after ``soft_off`` before the power goes off
        (an operating system shutting down); 0 turns it off at once.
    """

    def __init__(self, power: str = "off", boot_device: str = "disk",
                 persistent: bool = True, delay: float = 0.0, fail: bool = False,
                 soft_off_delay: float = 0.0) -> None:
        self._lock = threading.Lock()
        self._power = PowerState(power)
        self._boot = (BootDevice(boot_device), bool(persistent))
        self.delay = float(delay)
        self.fail = bool(fail)
        self.soft_off_delay = float(soft_off_delay)
        self._soft_off_at: float | None = None
        self.calls: collections.Counter[str] = collections.Counter()
        self.resets = 0

    def __repr__(self) -> str:
        return f"MemoryBackend(power={self._power.value!r}, boot={self._boot[0].value!r})"

    @contextlib.contextmanager
    def _call(self, name: str) -> Iterator[None]:
        # Sleep outside the lock: a slow call must not serialize the node's others.
        if self.delay:
            time.sleep(self.delay)
        if self.fail:
            raise MemoryBackendError(call=name)
        with self._lock:
            self.calls[name] += 1
            if self._soft_off_at is not None and time.monotonic() >= self._soft_off_at:
                self._power, self._soft_off_at = PowerState.OFF, None
            yield

    def get_power_state(self) -> PowerState:
        with self._call("get_power_state"):
            return self._power

    def power_on(self) -> None:
        with self._call("power_on"):
            self._power, self._soft_off_at = PowerState.ON, None

    def power_off(self) -> None:
        with self._call("power_off"):
            self._power, self._soft_off_at = PowerState.OFF, None

    def soft_off(self) -> None:
        with self._call("soft_off"):
            if self._power is PowerState.ON:
                if self.soft_off_delay:
                    self._soft_off_at = time.monotonic() + self.soft_off_delay
                else:
                    self._power = PowerState.OFF

    def reset(self) -> None:
        with self._call("reset"):
            if self._power is PowerState.ON:
                self.resets += 1
                self._soft_off_at = None

    def get_boot_device(self) -> tuple[BootDevice, bool]:
        with self._call("get_boot_device"):
            return self._boot

    def set_boot_device(self, device: BootDevice, persistent: bool) -> None:
        with self._call("set_boot_device"):
            self._boot = (BootDevice(device), bool(persistent))

    def changes(self) -> int:
        """Number of calls that could have changed the machine."""
        with self._lock:
            return sum(n for name, n in self.calls.items() if not name.startswith("get_"))
