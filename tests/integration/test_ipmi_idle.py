"""An idle session pool costs (almost) no CPU.

The loop thread waits for pyghmi's I/O thread to see a packet; the two threads once
woke each other without pause (a deadline given on the wrong clock looked long past
to pyghmi), using about a core between them while no call was in flight.
"""

from __future__ import annotations

import os
import time

import pytest

from ironic_tripleo.ipmi.driver_info import BMC
from ironic_tripleo.ipmi.session_pool import SessionPool
from ironic_tripleo.vbmc.memory_backend import MemoryBackend
from ironic_tripleo.vbmc.server import BmcServer

IDLE_SECONDS = 3.0
# CPU seconds the whole process (pool, pyghmi, and the in-process BMC's 1 s tick)
# may use while idle for IDLE_SECONDS; the spinning loop used 2-4.5 s.
MAX_IDLE_CPU = 0.3


@pytest.fixture
def bmc():
    server = BmcServer(tick=1.0)
    port = server.add_node("idle", MemoryBackend(power="off"), "admin", "password")
    server.start()
    yield BMC("127.0.0.1", port, "admin", "password")
    server.stop()


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def test_idle_pool_does_not_spin(bmc):
    pool = SessionPool(command_timeout=5.0, keepalive_interval=60.0)
    try:
        assert pool.get_power(bmc) == "off"  # a logged-in session, pyghmi's I/O running
        before = _cpu()
        time.sleep(IDLE_SECONDS)
        used = _cpu() - before
        assert used < MAX_IDLE_CPU, f"{used:.2f} CPU s while idle for {IDLE_SECONDS} s"
        assert pool.get_power(bmc) == "off"  # and the loop still answers
    finally:
        pool.close()
