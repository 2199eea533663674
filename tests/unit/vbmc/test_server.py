"""The I/O loop over loopback sockets, with the unit-test console."""

import socket
import threading
import time
import types

import pytest

from ironic_tripleo.vbmc import memory_backend
from ironic_tripleo.vbmc import server as server_mod
from ironic_tripleo.vbmc.backend import PowerState
from ironic_tripleo.vbmc.memory_backend import MemoryBackend
from ironic_tripleo.vbmc.server import BmcServer
from tests.harness.ipmi_console import Console


def udp_exchange(address):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(2)

    def handle(data):
        sock.sendto(data, address)
        try:
            return sock.recv(1024)
        except TimeoutError:
            return None
    return sock, handle


@pytest.fixture
def served():
    server = BmcServer(workers=4, tick=0.05)
    backends = {name: MemoryBackend(delay=0.02) for name in ("a", "b")}
    for name, backend in backends.items():
        server.add_node(name, backend, "admin", f"pw-{name}")
    server.start()
    yield server, backends
    server.stop()


def login(server, name):
    sock, handle = udp_exchange(server.address_of(name))
    console = Console(server.bmc(name), password=f"pw-{name}".encode(), handle=handle)
    console.login()
    assert console.request(0x06, 0x3B, (0x04,)) == (0, b"\x04")
    return sock, console


def test_two_nodes_over_udp(served):
    server, backends = served
    sock_a, a = login(server, "a")
    sock_b, b = login(server, "b")
    try:
        assert a.request(0x00, 0x02, (0x01,)) == (0, b"")
        assert b.request(0x00, 0x01)[1][0] & 1 == 0
        assert backends["a"].get_power_state() is PowerState.ON
        assert backends["b"].get_power_state() is PowerState.OFF
    finally:
        sock_a.close()
        sock_b.close()


def test_slow_backend_does_not_block_other_nodes(served, monkeypatch):
    server, backends = served
    sock_a, a = login(server, "a")
    sock_b, b = login(server, "b")
    # a's backend answers only when released: b is answered while a's call waits
    release, waiting = threading.Event(), threading.Event()

    def held(seconds):  # a's delay is held; b's (0.02 s) is slept
        if seconds < 1.0:
            return real_sleep(seconds)
        waiting.set()
        release.wait(30)

    real_sleep = time.sleep

    monkeypatch.setattr(memory_backend, "time", types.SimpleNamespace(
        sleep=held, monotonic=time.monotonic))
    backends["a"].delay = 1.0
    try:
        sock_a.sendto(a.packet(0x00, 0x01), server.address_of("a"))
        assert waiting.wait(30)
        assert b.request(0x00, 0x01)[0] == 0
        assert not release.is_set()
        release.set()
        assert a.parse_reply(sock_a.recv(1024))[0] == 0
    finally:
        sock_a.close()
        sock_b.close()


def test_stop_closes_sockets():
    server = BmcServer(tick=0.05)
    port = server.add_node("a", MemoryBackend(), "admin", "pw")
    server.start()
    server.stop()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", port))  # free again


def test_duplicate_name_and_never_started_server():
    server = BmcServer()
    port = server.add_node("a", MemoryBackend(), "admin", "pw")
    with pytest.raises(ValueError, match="'a'"):
        server.add_node("a", MemoryBackend(), "admin", "pw")
    assert len(server) == 1
    server.stop()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", port))


def test_raise_fd_limit(monkeypatch):
    calls = []
    monkeypatch.setattr(server_mod.resource, "getrlimit", lambda _r: (1024, 4096))
    monkeypatch.setattr(server_mod.resource, "setrlimit", lambda _r, v: calls.append(v))
    assert server_mod.raise_fd_limit(2000) == 2000
    assert server_mod.raise_fd_limit(9000) == 4096
    assert server_mod.raise_fd_limit(100) == 1024
    assert calls == [(2000, 4096), (4096, 4096)]
