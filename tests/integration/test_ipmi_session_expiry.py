"""A BMC that expires idle sessions: the pool logs in again instead of timing out.

The virtual BMC runs in its own process (as a real BMC would) with a short
session inactivity timeout; after the client stays idle past it, the BMC drops
whatever arrives on the old session.
"""

import json
import subprocess
import sys
import threading
import time

import pytest

from ironic_tripleo.ipmi.driver_info import BMC
from ironic_tripleo.ipmi.session_pool import SessionPool

SERVE = """
import json, sys
from ironic_tripleo.vbmc.memory_backend import MemoryBackend
from ironic_tripleo.vbmc.server import BmcServer
server = BmcServer()
port = server.add_node("n0", MemoryBackend(power="on"), "admin", "password",
                       idle_timeout=float(sys.argv[1]))
server.start()
print(json.dumps(port), flush=True)
sys.stdin.read()
server.stop()
"""


@pytest.fixture
def expiring_bmc():
    """A virtual BMC that forgets sessions idle for more than 1.5 s."""
    child = subprocess.Popen([sys.executable, "-c", SERVE, "1.5"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        port = json.loads(child.stdout.readline())
        yield BMC("127.0.0.1", port, "admin", "password")
    finally:
        child.stdin.close()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _read_in_thread(pool, bmc):
    """Read the power state in a thread; returns (thread, box with value/error)."""
    box = {}

    def read():
        try:
            box["value"] = pool.get_power(bmc)
        except Exception as e:  # reported by the test
            box["error"] = e

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread, box


def test_read_after_bmc_expired_the_session_logs_in_again(expiring_bmc):
    # No retries: the old session, if reused, would cost a timeout and an error.
    pool = SessionPool(command_timeout=3.0, command_retries=0, session_max_idle=1.0)
    try:
        assert pool.get_power(expiring_bmc) == "on"
        time.sleep(2.5)  # past the BMC's inactivity timeout
        thread, box = _read_in_thread(pool, expiring_bmc)
        thread.join(30)
        assert not thread.is_alive(), "power read hung after the BMC expired the session"
        assert box == {"value": "on"}
    finally:
        pool.close()


def test_reused_session_within_idle_limit_still_answers(expiring_bmc):
    pool = SessionPool(command_timeout=3.0, command_retries=0, session_max_idle=1.0)
    try:
        for _ in range(5):
            assert pool.get_power(expiring_bmc) == "on"
            time.sleep(0.2)
        assert len(pool) == 1
    finally:
        pool.close()
