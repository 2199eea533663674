"""discoverd's dnsmasq PXE filter and DHCP log watch with a real dnsmasq and a real
DHCP client.

dnsmasq runs in a server namespace on one end of a veth pair; ``busybox udhcpc``
runs in a client namespace on the other end, with the MAC each case needs. A MAC
the filter allows gets a lease; a denied one gets no answer.
"""

import secrets
import shutil
import signal
import subprocess
import time
import uuid as uuidlib

import pytest

from discoverd import records
from discoverd.db.api import Database
from discoverd.pxe_filter.dnsmasq import HostsDir
from discoverd.pxe_filter.sync import PXEFilter
from discoverd.state import Event

pytestmark = pytest.mark.skipif(not (shutil.which("dnsmasq") and shutil.which("busybox")),
                                reason="needs dnsmasq and busybox (make system)")

KNOWN_IDLE = "52:54:02:00:00:01"    # a port in Ironic, node not under introspection
INTROSPECTED = "52:54:02:00:00:02"  # a port of the node under introspection
UNKNOWN = "52:54:02:00:00:03"       # not in Ironic at all


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)


@pytest.fixture
def net():
    """Server and client namespaces joined by a veth pair; removed at teardown."""
    suffix = secrets.token_hex(3)
    srv, cli, veth = f"pxs-{suffix}", f"pxc-{suffix}", f"pxv{suffix}"
    ip("netns", "add", srv)
    try:
        ip("netns", "add", cli)
        ip("link", "add", veth, "netns", srv, "type", "veth", "peer", "name", "eth0",
           "netns", cli)
        ip("-n", srv, "addr", "add", "198.51.100.1/24", "dev", veth)
        ip("-n", srv, "link", "set", veth, "up")
        ip("-n", cli, "link", "set", "eth0", "up")
        yield srv, cli, veth
    finally:
        for ns in (cli, srv):
            subprocess.run(["ip", "netns", "delete", ns], capture_output=True, timeout=10)


@pytest.fixture
def dnsmasq(net, tmp_path):
    """Start a dnsmasq on the server end, reading hostsdir; returns the HostsDir."""
    srv, _, veth = net
    hostsdir = HostsDir(tmp_path / "hostsdir")
    procs = []

    def start(dhcp_range: str = "198.51.100.100,198.51.100.150"):
        log = tmp_path / "dnsmasq.log"
        proc = subprocess.Popen(
            ["ip", "netns", "exec", srv, "dnsmasq", "--no-daemon", "--conf-file=/dev/null",
             "--port=0", f"--interface={veth}", "--bind-interfaces", "--no-ping",
             f"--dhcp-range={dhcp_range},255.255.255.0,2m",
             f"--dhcp-hostsdir={hostsdir.path}",
             f"--dhcp-leasefile={tmp_path / 'leases'}", "--log-dhcp",
             f"--log-facility={log}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        procs.append(proc)
        time.sleep(0.5)
        assert proc.poll() is None, log.read_text() if log.exists() else "dnsmasq exited"
        return proc

    yield hostsdir, start
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def gets_lease(net, tmp_path, mac: str) -> bool:
    """Whether ``busybox udhcpc`` in the client namespace with ``mac`` gets a lease."""
    _, cli, _ = net
    ip("-n", cli, "link", "set", "eth0", "down")
    ip("-n", cli, "link", "set", "eth0", "address", mac)
    ip("-n", cli, "link", "set", "eth0", "up")
    hook = tmp_path / "udhcpc-hook.sh"
    if not hook.exists():
        hook.write_text(f'#!/bin/sh\necho "$1 $ip" >> {tmp_path / "udhcpc.log"}\n')
        hook.chmod(0o755)
    result = subprocess.run(
        ["ip", "netns", "exec", cli, "busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-f",
         "-t", "2", "-T", "1", "-s", str(hook)],
        capture_output=True, text=True, timeout=20)
    return result.returncode == 0


class StubIronic:
    """Ironic's port list, as the filter reads it."""

    def __init__(self, macs: list[str]) -> None:
        self.macs = macs

    def list_all_macs(self) -> list[str]:
        return list(self.macs)


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'discoverd.sqlite'}")
    database.upgrade()
    yield database
    database.dispose()


def test_filter_follows_introspections(net, dnsmasq, db, tmp_path):
    hostsdir, start = dnsmasq
    pxe_filter = PXEFilter(hostsdir, purge=True)
    ironic = StubIronic([KNOWN_IDLE, INTROSPECTED])

    # No introspection: nobody gets the ramdisk, known or not.
    state = pxe_filter.sync(db, ironic)
    assert not state.allow_unknown
    start()
    assert not gets_lease(net, tmp_path, KNOWN_IDLE)
    assert not gets_lease(net, tmp_path, UNKNOWN)

    # One node under introspection: its MAC and unknown MACs boot, idle known ones not.
    node = str(uuidlib.uuid4())
    records.start(db, node, False, {"mac": [INTROSPECTED]})
    records.transition(db, node, Event.wait)
    state = pxe_filter.sync(db, ironic)
    assert state.allow == {INTROSPECTED} and state.allow_unknown
    time.sleep(0.3)  # dnsmasq rereads through inotify
    assert gets_lease(net, tmp_path, INTROSPECTED)
    assert gets_lease(net, tmp_path, UNKNOWN)
    assert not gets_lease(net, tmp_path, KNOWN_IDLE)

    # Introspection over: everything denied again.
    records.transition(db, node, Event.process)
    records.transition(db, node, Event.finish)
    pxe_filter.sync(db, ironic)
    time.sleep(0.3)
    assert not gets_lease(net, tmp_path, INTROSPECTED)
    assert not gets_lease(net, tmp_path, UNKNOWN)


def test_finished_node_is_denied_at_once(net, dnsmasq, tmp_path):
    """A running discoverd (periodic sync an hour away) closes dnsmasq to a node the
    moment its introspection finishes, not at the next period."""
    import requests

    from discoverd.conf import new_conf
    from discoverd.server import Server
    from tests.harness.discoverd_payloads import ramdisk_payload
    from tests.harness.fake_ironic import FakeIronic

    hostsdir, start = dnsmasq
    conf = new_conf([])
    conf.set_override("connection", f"sqlite:///{tmp_path / 'discoverd.sqlite'}",
                      group="database")
    conf.set_override("listen_address", "127.0.0.1")
    conf.set_override("driver", "dnsmasq", group="pxe_filter")
    conf.set_override("dhcp_hostsdir", str(hostsdir.path), group="pxe_filter")
    conf.set_override("sync_period", 3600, group="pxe_filter")
    ironic = FakeIronic()
    uuid = ironic.add_node("n1", (INTROSPECTED,))
    ironic.add_node("n2", (KNOWN_IDLE,))
    server = Server(conf, port=0, ironic=ironic).start()
    try:
        start()
        r = requests.post(f"{server.url}/v1/introspection/{uuid}", timeout=10)
        assert r.status_code == 202
        time.sleep(0.3)  # dnsmasq rereads through inotify
        assert gets_lease(net, tmp_path, INTROSPECTED)

        r = requests.post(f"{server.url}/v1/continue", timeout=10,
                          json=ramdisk_payload([INTROSPECTED]))
        assert r.status_code == 200, r.text
        deadline = time.monotonic() + 5
        while hostsdir.current().get(INTROSPECTED) != f"{INTROSPECTED},ignore\n":
            assert time.monotonic() < deadline, hostsdir.current()
            time.sleep(0.05)
        time.sleep(0.3)
        assert not gets_lease(net, tmp_path, INTROSPECTED)
        assert not gets_lease(net, tmp_path, UNKNOWN)
    finally:
        server.stop()


def test_node_refused_a_lease_fails_within_the_grace(net, dnsmasq, tmp_path):
    """dnsmasq's range is full: the waiting node's introspection ends in error naming
    its MAC within [dhcp_log] no_lease_grace, not at the (hour-long) timeout; a
    refusal from before the introspection started is not held against it."""
    import requests

    from discoverd.conf import new_conf
    from discoverd.server import Server
    from tests.harness.fake_ironic import FakeIronic

    hostsdir, start = dnsmasq
    conf = new_conf([])
    conf.set_override("connection", f"sqlite:///{tmp_path / 'discoverd.sqlite'}",
                      group="database")
    conf.set_override("listen_address", "127.0.0.1")
    conf.set_override("dnsmasq_log_file", str(tmp_path / "dnsmasq.log"), group="dhcp_log")
    conf.set_override("no_lease_grace", 2, group="dhcp_log")
    conf.set_override("poll_interval", 0.2, group="dhcp_log")
    ironic = FakeIronic()
    uuid = ironic.add_node("n1", (INTROSPECTED,))
    start("198.51.100.100,198.51.100.100")  # one address, and no PXE filter
    assert gets_lease(net, tmp_path, KNOWN_IDLE)  # takes it
    assert not gets_lease(net, tmp_path, INTROSPECTED)  # refused before the start
    time.sleep(1.1)  # the log's times have a one-second resolution
    server = Server(conf, port=0, ironic=ironic).start()
    try:
        url = f"{server.url}/v1/introspection/{uuid}"
        assert requests.post(url, timeout=10).status_code == 202
        time.sleep(3.5)  # past the grace: the old refusal must not count
        status = requests.get(url, timeout=10).json()
        assert status["state"] == "waiting", status

        assert not gets_lease(net, tmp_path, INTROSPECTED)  # refused while waiting
        deadline = time.monotonic() + 20
        while not (status := requests.get(url, timeout=10).json())["finished"]:
            assert time.monotonic() < deadline, status
            time.sleep(0.2)
        assert status["state"] == "error", status
        assert INTROSPECTED in status["error"], status
        assert "no address available" in status["error"], status
        # discoverd managed the boot: the node it gave up on is powered off.
        assert ironic.nodes[uuid]["power_state"] == "power off"
    finally:
        server.stop()


def test_auto_discovery_lets_unknown_machines_boot(net, dnsmasq, tmp_path):
    """With [discovery] enroll_unknown, a running discoverd's filter answers unknown
    MACs with no introspection running; known idle nodes stay ignored."""
    from discoverd.conf import new_conf
    from discoverd.server import Server
    from tests.harness.fake_ironic import FakeIronic

    hostsdir, start = dnsmasq
    conf = new_conf([])
    conf.set_override("connection", f"sqlite:///{tmp_path / 'discoverd.sqlite'}",
                      group="database")
    conf.set_override("listen_address", "127.0.0.1")
    conf.set_override("driver", "dnsmasq", group="pxe_filter")
    conf.set_override("dhcp_hostsdir", str(hostsdir.path), group="pxe_filter")
    conf.set_override("enroll_unknown", True, group="discovery")
    ironic = FakeIronic()
    ironic.add_node("n2", (KNOWN_IDLE,))
    server = Server(conf, port=0, ironic=ironic).start()
    try:
        deadline = time.monotonic() + 10
        while hostsdir.current().get("unknown_hosts_filter") != "*:*:*:*:*:*\n":
            assert time.monotonic() < deadline, hostsdir.current()
            time.sleep(0.05)
        start()
        assert gets_lease(net, tmp_path, UNKNOWN)
        assert not gets_lease(net, tmp_path, KNOWN_IDLE)
    finally:
        server.stop()
