import threading
import time
import types

import pytest

from ironic_tripleo.vbmc import memory_backend
from ironic_tripleo.vbmc.backend import BootDevice, NodeBackend, PowerState
from ironic_tripleo.vbmc.memory_backend import MemoryBackend, MemoryBackendError


def test_state_and_counts():
    backend = MemoryBackend()
    assert isinstance(backend, NodeBackend)
    assert backend.get_power_state() is PowerState.OFF
    backend.reset()
    assert backend.resets == 0
    backend.power_on()
    backend.reset()
    assert backend.resets == 1
    backend.soft_off()
    assert backend.get_power_state() is PowerState.OFF
    backend.set_boot_device(BootDevice.PXE, False)
    assert backend.get_boot_device() == (BootDevice.PXE, False)
    assert backend.changes() == 5


def test_invalid_initial_values():
    with pytest.raises(ValueError):
        MemoryBackend(power="maybe")
    with pytest.raises(ValueError):
        MemoryBackend(boot_device="floppy")


def test_soft_off_delay():
    backend = MemoryBackend(power="on", soft_off_delay=0.05)
    backend.soft_off()
    assert backend.get_power_state() is PowerState.ON
    time.sleep(0.06)
    assert backend.get_power_state() is PowerState.OFF


def test_fail_and_delay(monkeypatch):
    with pytest.raises(MemoryBackendError):
        MemoryBackend(fail=True).power_on()
    backend = MemoryBackend(delay=0.05)
    # Delays overlap: a slow call does not hold the lock while it sleeps. The delay
    # waits until all four calls are in it (a lock held over it would break that).
    all_in = threading.Barrier(4, timeout=30)
    monkeypatch.setattr(memory_backend, "time", types.SimpleNamespace(
        sleep=lambda seconds: all_in.wait(), monotonic=time.monotonic))
    threads = [threading.Thread(target=backend.power_on) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not all_in.broken
    assert backend.calls["power_on"] == 4
