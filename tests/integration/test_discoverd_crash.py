"""kill -9 of a real discoverd process while it processes ramdisk data, then restart.

Real Ironic 39 (fake interfaces), discoverd as its own process (the ``discoverd``
console script) on SQLite, and on PostgreSQL with a second live process. After
each kill at a random moment of processing: the ramdisk's re-post is accepted,
the introspection reaches ``finished`` well before the introspection timeout,
the stored raw data is the payload, and Ironic has what it describes.
"""

import random
import threading
import time
from pathlib import Path

import pytest
import requests

from baremetal_common.cloud import connect
from discoverd import leases, records
from discoverd.db.api import Database
from discoverd.state import ABORTED, Event
from ironic_tripleo.lab import process
from ironic_tripleo.lab.pxe_services import start_discoverd
from tests.harness.discoverd_payloads import ramdisk_payload
from tests.harness.held_http import HeldHTTP
from tests.harness.ports import free_port
from tests.harness.waiting import wait_for

_PREFIX = random.randrange(256)
LEASE = 2  # [processing] lease_time of the test processes
#: The introspection timeout stays far away: only the lease can end these waits.
TIMEOUT = 3600


def mac(i: int, j: int) -> str:
    return f"52:54:03:{_PREFIX:02x}:{i:02x}:{j:02x}"


class Discoverd:
    """One real discoverd process on ``port``, restartable, killed at teardown."""

    def __init__(self, workdir: Path, ironic_url: str, connection: str) -> None:
        self.workdir, self.port = workdir, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = "\n".join([
            "[DEFAULT]", "listen_address = 127.0.0.1", f"listen_port = {self.port}",
            f"timeout = {TIMEOUT}", "clean_up_period = 5", "",
            "[database]", f"connection = {connection}", "",
            "[ironic]", f"url = {ironic_url}", "",
            "[processing]", f"lease_time = {LEASE}", ""])
        self.pid: int | None = None

    def start(self) -> "Discoverd":
        self.pid = start_discoverd(self.workdir, self.url, self.config)
        return self

    def kill(self) -> None:
        process.kill_group(self.pid)
        assert not process.is_alive(self.pid)
        self.pid = None


@pytest.fixture
def discoverds(tmp_path):
    started: list[Discoverd] = []

    def make(name: str, ironic_url: str, connection: str) -> Discoverd:
        d = Discoverd(tmp_path / name, ironic_url, connection)
        started.append(d)
        return d.start()

    yield make
    for d in started:
        process.kill_group(d.pid)


def _post(url: str, payload: dict, answers: list) -> None:
    try:
        answers.append(requests.post(f"{url}/v1/continue", json=payload, timeout=30)
                       .status_code)
    except requests.RequestException as exc:  # killed under it
        answers.append(type(exc).__name__)


def repost_as_ramdisk(url: str, payload: dict) -> int:
    """Post like the ramdisk does: retry 409 and connection errors; return the answer."""
    def answered():
        try:
            r = requests.post(f"{url}/v1/continue", json=payload, timeout=30)
        except requests.ConnectionError:
            return None
        return None if r.status_code == 409 else r.status_code
    return wait_for(answered, 4 * LEASE + 10, 0.5, what="the re-post to be answered")


def status(url: str, node: str) -> dict:
    return requests.get(f"{url}/v1/introspection/{node}", timeout=10).json()


def enroll(baremetal, i: int) -> tuple:
    node = baremetal.create_node(driver="fake-hardware", name=f"crash{i}-{time.time_ns()}",
                                 driver_info={"ipmi_address": f"10.41.{_PREFIX}.{i}"},
                                 provision_state="manageable")
    baremetal.create_port(node_uuid=node.id, address=mac(i, 1))
    return node, ramdisk_payload([mac(i, 1), mac(i, 2)], bmc_address=f"10.41.{_PREFIX}.{i}",
                                 cpus=2 + i, memory_mb=1024 * (i + 1), disks_gib=(10 + i,))


def check_outcome(baremetal, url: str, node, payload: dict, i: int) -> None:
    # finished, not ended by the (hour-long) introspection timeout: the lease recovered it
    done = wait_for(lambda: (s := status(url, node.id))["finished"] and s, 4 * LEASE + 15,
                    0.2, what=f"trial {i}: the introspection to end")
    assert done["state"] == "finished", (i, done)
    raw = requests.get(f"{url}/v1/introspection/{node.id}/data/unprocessed", timeout=10)
    assert raw.status_code == 200 and raw.json() == payload, i
    real = baremetal.get_node(node.id)
    assert real.properties["cpus"] == 2 + i and real.properties["memory_mb"] == 1024 * (i + 1)
    assert real.properties["local_gb"] == 10 + i - 1


def state_of(db: Database, node: str) -> str:
    return records.get(db, node).state


def crash_trial(baremetal, db: Database, live, victim_url: str, kill, restart, i: int,
                delay: float | None) -> str:
    """Post to the victim, kill it after ``delay`` (None: as soon as the record is
    ``processing``), restart; the ramdisk posts again. Return the state at the kill."""
    node, payload = enroll(baremetal, i)
    r = requests.post(f"{live.url}/v1/introspection/{node.id}?manage_boot=false",
                      timeout=30)
    assert r.status_code == 202, r.text
    answers: list = []
    poster = threading.Thread(target=_post, args=(victim_url, payload, answers))
    poster.start()
    if delay is None:
        wait_for(lambda: state_of(db, node.id) == "processing", 10, 0.002,
                 what="processing to begin")
    else:
        time.sleep(delay)
    kill()
    at_kill = state_of(db, node.id)
    poster.join(35)
    url = restart()
    answer = repost_as_ramdisk(url, payload)
    # Accepted; or 404 (no node under introspection) when the work was already done
    # before the re-post came: by the first post (killed between its commit and its
    # answer) or by the restarted process resuming it once the lease expired.
    assert answer == 200 or (answer == 404 and status(url, node.id)["state"] == "finished"
                             ), (i, delay, at_kill, answer, answers)
    check_outcome(baremetal, url, node, payload, i)
    return at_kill


def _processing_time(baremetal, d: Discoverd, i: int) -> float:
    node, payload = enroll(baremetal, i)
    requests.post(f"{d.url}/v1/introspection/{node.id}?manage_boot=false", timeout=30)
    began = time.monotonic()
    assert requests.post(f"{d.url}/v1/continue", json=payload, timeout=30).status_code == 200
    return time.monotonic() - began


def test_kill_9_during_processing_then_restart(fake_ironic, discoverds, tmp_path):
    baremetal = connect(fake_ironic.url).baremetal
    connection = f"sqlite:///{tmp_path / 'discoverd.sqlite'}"
    d = discoverds("d", fake_ironic.url, connection)
    db = Database(connection)
    window = _processing_time(baremetal, d, 0) * 1.2

    def restart():
        d.start()
        return d.url
    try:
        at_kill = [crash_trial(baremetal, db, d, d.url, d.kill, restart, i,
                               None if i == 1 else random.uniform(0, window))
                   for i in range(1, 7)]
    finally:
        db.dispose()
    assert at_kill[0] == "processing"
    print(f"states at the kills: {at_kill}")


def live_lease_is_not_stolen(baremetal, db: Database, url: str, i: int) -> None:
    """A lease renewed by a live owner (here: this test) is left alone by both
    discoverd processes for three lease times; once renewals stop it is taken over."""
    node, payload = enroll(baremetal, i)
    requests.post(f"{url}/v1/introspection/{node.id}?manage_boot=false", timeout=30)
    leases.claim(db, node.id, Event.process, "live-elsewhere", LEASE, payload=payload)
    deadline = time.monotonic() + 3 * LEASE
    while time.monotonic() < deadline:
        leases.renew(db, "live-elsewhere")
        record = records.get(db, node.id)
        assert (record.state, record.owner) == ("processing", "live-elsewhere")
        time.sleep(LEASE / 4)
    check_outcome(baremetal, url, node, payload, i)


def test_postgres_live_process_takes_over_not_before_lease(fake_ironic, discoverds):
    """Two processes on one PostgreSQL: neither steals a live lease; when A dies
    mid-processing, its work is finished once the lease expires."""
    from tests.harness.postgres import PostgresServer

    pg = PostgresServer()
    try:
        pg.start()
        connection = pg.create_database()
        baremetal = connect(fake_ironic.url).baremetal
        a = discoverds("a", fake_ironic.url, connection)
        b = discoverds("b", fake_ironic.url, connection)
        db = Database(connection)
        window = _processing_time(baremetal, a, 10) * 1.2

        def restart():
            a.start()  # A comes back too; either may finish the work
            return b.url
        live_lease_is_not_stolen(baremetal, db, b.url, 14)
        at_kill = [crash_trial(baremetal, db, b, a.url, a.kill, restart, i,
                               None if i == 11 else random.uniform(0, window))
                   for i in range(11, 13)]
        db.dispose()
        assert at_kill[0] == "processing"
        print(f"states at the kills: {at_kill}")
    finally:
        pg.stop()


def _call(url: str) -> None:
    """POST that the process killed under it leaves unanswered."""
    try:
        requests.post(url, timeout=60)
    except requests.ConnectionError:
        pass


def _start_then_kill_while_held(baremetal, tmp_path, discoverds, fake_ironic, method: str,
                                path: str, abort: bool):
    """A discoverd whose Ironic calls pass through a forwarder; a node started (and,
    with ``abort``, aborted) while the ``method path`` call to Ironic is held; the
    process is killed there and restarted. Return (db, discoverd, node)."""
    with HeldHTTP(fake_ironic.url) as forwarder:
        connection = f"sqlite:///{tmp_path / 'discoverd.sqlite'}"
        d = discoverds("d", forwarder.url, connection)
        db = Database(connection)
        node, _ = enroll(baremetal, 9 if abort else 8)
        if not abort:
            forwarder.hold(method, path)
        threading.Thread(target=_call, args=(f"{d.url}/v1/introspection/{node.id}",),
                         daemon=True).start()
        if abort:
            wait_for(lambda: status(d.url, node.id).get("state") == "waiting", 30, 0.05,
                     what="the start to boot the node")
            forwarder.hold(method, path)
            threading.Thread(target=_call, args=(f"{d.url}/v1/introspection/{node.id}/abort",),
                             daemon=True).start()
        assert forwarder.held.wait(30), "discoverd never made the held call"
        at_kill = records.get(db, node.id)
        d.kill()
        forwarder.release()
    assert at_kill.state == ("aborting" if abort else "starting")
    assert at_kill.owner is not None  # the killed process held the record
    d = Discoverd(d.workdir, fake_ironic.url, connection)  # now straight to Ironic
    d.start()
    return db, d, node


def test_kill_9_while_starting_ends_the_start_in_error(fake_ironic, discoverds, tmp_path):
    baremetal = connect(fake_ironic.url).baremetal
    db, d, node = _start_then_kill_while_held(
        baremetal, tmp_path, discoverds, fake_ironic, "PUT", r"/management/boot_device$",
        abort=False)
    try:
        # Ended by the restarted process once the dead one's lease expired, not left
        # `starting` until the (hour-long) introspection timeout.
        done = wait_for(lambda: (s := status(d.url, node.id))["finished"] and s,
                        4 * LEASE + 15, 0.2, what="the stalled start to end")
        assert done["state"] == "error" and "stopped while starting" in done["error"], done
        r = requests.post(f"{d.url}/v1/introspection/{node.id}", timeout=30)
        assert r.status_code == 202, r.text  # a new start is accepted at once
        assert status(d.url, node.id)["state"] in ("waiting", "starting")
    finally:
        db.dispose()
        process.kill_group(d.pid)


def test_kill_9_while_aborting_finishes_the_abort(fake_ironic, discoverds, tmp_path):
    baremetal = connect(fake_ironic.url).baremetal
    db, d, node = _start_then_kill_while_held(
        baremetal, tmp_path, discoverds, fake_ironic, "PUT", r"/states/power$", abort=True)
    try:
        done = wait_for(lambda: (s := status(d.url, node.id))["finished"] and s,
                        4 * LEASE + 15, 0.2, what="the stalled abort to end")
        assert done["state"] == "error" and done["error"] == ABORTED, done
        # The restarted process powered the node off, as the abort would have.
        wait_for(lambda: baremetal.get_node(node.id).power_state == "power off", 30, 0.2,
                 what="the node to be powered off")
    finally:
        db.dispose()
        process.kill_group(d.pid)
