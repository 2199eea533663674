"""Sessions kept alive across idle gaps longer than the BMC's session timeout.

The virtual BMC (served in this process, so its session table can be read) forgets
sessions silent for 2 s. Logins are counted at the BMC: each Open Session creates
an entry in its session table.
"""

from __future__ import annotations

import time

import pytest

from ironic_tripleo.ipmi.driver_info import BMC
from ironic_tripleo.ipmi.session_pool import SessionPool
from ironic_tripleo.vbmc.memory_backend import MemoryBackend
from ironic_tripleo.vbmc.server import BmcServer
from tests.harness.waiting import wait_for

BMC_IDLE_TIMEOUT = 2.0


@pytest.fixture
def bmcs():
    """Three virtual BMCs; yields (BMC list, server, login counts by name)."""
    server = BmcServer(tick=0.2)
    logins: dict[str, int] = {}
    found = []
    for i in range(3):
        name = f"k{i}"
        port = server.add_node(name, MemoryBackend(power="on"), "admin", "password",
                               idle_timeout=BMC_IDLE_TIMEOUT)
        table = server.bmc(name).sessions
        logins[name] = 0

        def counting(*args, _create=table.create, _name=name, **kwargs):
            logins[_name] += 1
            return _create(*args, **kwargs)
        table.create = counting
        found.append(BMC("127.0.0.1", port, "admin", "password"))
    server.start()
    yield found, server, logins
    server.stop()


@pytest.mark.parametrize(("keepalive", "expected_logins"), [(0.6, 1), (0.0, 2)],
                         ids=["kept-alive", "no-keepalive"])
def test_session_survives_an_idle_gap_longer_than_the_bmc_timeout(bmcs, keepalive,
                                                                   expected_logins):
    (bmc, *_), _, logins = bmcs
    pool = SessionPool(command_timeout=3.0, session_max_idle=1.5,
                       keepalive_interval=keepalive)
    try:
        assert pool.get_power(bmc) == "on"
        time.sleep(2 * BMC_IDLE_TIMEOUT)
        assert pool.get_power(bmc) == "on"
        assert logins["k0"] == expected_logins
    finally:
        pool.close()


def test_at_most_max_kept_alive_sessions(bmcs):
    found, server, logins = bmcs
    pool = SessionPool(command_timeout=3.0, keepalive_interval=0.6, max_kept_alive=2)
    try:
        for bmc in found:
            assert pool.get_power(bmc) == "on"
        assert len(pool) == 2
        # The least recently used one was logged out at the BMC too.
        wait_for(lambda: len(server.bmc("k0").sessions) == 0, timeout=3)
        assert len(server.bmc("k2").sessions) == 1
        time.sleep(2 * BMC_IDLE_TIMEOUT)
        assert len(pool) == 2
        assert [pool.get_power(b) for b in found[1:]] == ["on", "on"]
        assert (logins["k1"], logins["k2"]) == (1, 1)
    finally:
        pool.close()


def test_unused_session_is_logged_out(bmcs):
    (bmc, *_), server, _ = bmcs
    pool = SessionPool(command_timeout=3.0, keepalive_interval=0.4, unused_logout=1.0)
    try:
        assert pool.get_power(bmc) == "on"
        assert len(server.bmc("k0").sessions) == 1
        wait_for(lambda: len(pool) == 0, timeout=5)
        wait_for(lambda: len(server.bmc("k0").sessions) == 0, timeout=3)
    finally:
        pool.close()
