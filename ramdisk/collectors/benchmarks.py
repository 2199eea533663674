"""Short, bounded benchmarks (``ipa-inspection-benchmarks=cpu,mem,disk``).

Each runs for at most ``duration`` seconds and touches a bounded amount of memory or
disk (reads only), and reports facts in the ``hardware-detect`` 4-tuple format so the
role matcher and outlier reports can use them:

- ``cpu logical loops_per_sec N``: SHA-256 rounds of a 4 kB block per second, one core;
- ``memory total copy_bandwidth_MBps N``: copying a buffer of up to 64 MiB;
- ``disk NAME standalone_read_1M_KBps N``: 1 MiB sequential reads from the device.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterable

import psutil

LOG = logging.getLogger(__name__)

MiB = 1024 * 1024
Fact = list[str]


def _timed_loop(step: Callable[[], int], duration: float) -> tuple[int, float]:
    """Call ``step`` until ``duration`` passes; return (sum of its results, seconds)."""
    done = 0
    start = time.perf_counter()
    deadline = start + duration
    while True:
        done += step()
        now = time.perf_counter()
        if now >= deadline:
            return done, now - start


def cpu(duration: float = 1.0) -> list[Fact]:
    """Return ``loops_per_sec`` of a single-core hashing loop."""
    block = os.urandom(4096)

    def step() -> int:
        for _ in range(100):
            hashlib.sha256(block).digest()
        return 100

    loops, seconds = _timed_loop(step, duration)
    return [["cpu", "logical", "loops_per_sec", str(int(loops / seconds))]]


def memory(duration: float = 1.0, max_bytes: int = 64 * MiB) -> list[Fact]:
    """Return the copy bandwidth (MB/s) of a buffer of at most ``max_bytes``.

    The buffer is at most a quarter of the available memory, so a small ramdisk
    does not run out.
    """
    size = max(MiB, min(max_bytes, psutil.virtual_memory().available // 4))
    source = bytearray(size)
    target = bytearray(size)
    view = memoryview(target)

    def step() -> int:
        view[:] = source
        return size

    copied, seconds = _timed_loop(step, duration)
    return [["memory", "total", "copy_bandwidth_MBps", str(int(copied / seconds / 1e6))]]


def disk_read(path: str, duration: float = 1.0, max_bytes: int = 256 * MiB) -> int:
    """Return the KB/s of 1 MiB sequential reads from ``path`` (read-only, bounded).

    Asks the kernel to drop the device's cache first so a re-run is not a cache hit.
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        except OSError:
            pass
        total = 0
        start = time.perf_counter()
        deadline = start + duration
        while total < max_bytes and time.perf_counter() < deadline:
            chunk = os.read(fd, MiB)
            if not chunk:
                break
            total += len(chunk)
        seconds = max(time.perf_counter() - start, 1e-6)
    finally:
        os.close(fd)
    return int(total / seconds / 1000)


def disks(names: Iterable[str], duration: float = 1.0) -> list[Fact]:
    """Return ``standalone_read_1M_KBps`` for each device path (``/dev/sda``).

    A device that cannot be read is logged and skipped.
    """
    facts = []
    for path in names:
        try:
            speed = disk_read(path, duration)
        except OSError as exc:
            LOG.warning("disk benchmark of %s failed: %s", path, exc)
            continue
        facts.append(["disk", os.path.basename(path), "standalone_read_1M_KBps", str(speed)])
    return facts


def collect(which: Iterable[str], disk_paths: Iterable[str] = (),
            duration: float = 1.0) -> list[Fact]:
    """Run the benchmarks named in ``which`` (``cpu``, ``mem``, ``disk``)."""
    which = list(which)
    facts: list[Fact] = []
    if "cpu" in which:
        facts.extend(cpu(duration))
    if "mem" in which:
        facts.extend(memory(duration))
    if "disk" in which:
        facts.extend(disks(disk_paths, duration))
    LOG.info("benchmarks %s: %s", ",".join(which), facts)
    return facts
