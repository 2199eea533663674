"""Several discoverd processes on one real PostgreSQL, against one real Ironic.

Concurrent migrations must not fail; the same ramdisk payload posted to two
discoverd processes at once must be processed by exactly one of them.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from baremetal_common.cloud import connect
from discoverd.db.api import Database
from discoverd.db.models import Base
from tests.harness.db_race import race_to_processing
from tests.harness.discoverd_payloads import ramdisk_payload
from tests.harness.ports import free_port
from tests.harness.postgres import postgres  # noqa: F401 (fixture)
from tests.harness.waiting import wait_for

FAKE_ONLY = dict(hardware_types=("fake-hardware",), power_interfaces=("fake",),
                 management_interfaces=("fake",), boot_interfaces=("fake",),
                 inspect_interfaces=("no-inspect",))
UPGRADE = "import sys; from discoverd.db.api import Database; Database(sys.argv[1]).upgrade()"


def test_concurrent_migrations_from_two_processes(postgres):  # noqa: F811
    for _ in range(5):
        url = postgres.create_database()
        procs = [subprocess.Popen([sys.executable, "-c", UPGRADE, url],
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
        for proc in procs:
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
        db = Database(url)
        with db.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        db.dispose()


def test_race_to_processing_on_postgresql(postgres):  # noqa: F811
    url = postgres.create_database()
    for i in range(5):
        results = race_to_processing(url, node=f"n{i}")
        assert len(results) == 2 and results.count("won") == 1, results


class DiscoverdProcess:
    """``discoverd --config-file`` as a child process on a free port."""

    def __init__(self, workdir: Path, db_url: str, ironic_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = workdir / f"discoverd-{self.port}.conf"
        config.write_text(f"[DEFAULT]\nlisten_address = 127.0.0.1\nlisten_port = {self.port}\n"
                          f"[database]\nconnection = {db_url}\n[ironic]\nurl = {ironic_url}\n")
        self.log = workdir / f"discoverd-{self.port}.log"
        binary = Path(sys.executable).parent / "discoverd"
        with self.log.open("w") as log:
            self.proc = subprocess.Popen([str(binary), "--config-file", str(config)],
                                         stdout=log, stderr=subprocess.STDOUT)

    def ready(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"discoverd exited: {self.log.read_text()[-3000:]}")
        try:
            return requests.get(self.url, timeout=2).ok
        except requests.ConnectionError:
            return False

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


@pytest.fixture
def two_discoverds(tmp_path, postgres, ironic_factory):  # noqa: F811
    """Two discoverd processes started together on one new database and one Ironic."""
    ironic = ironic_factory(**FAKE_ONLY)
    url = postgres.create_database()
    servers = [DiscoverdProcess(tmp_path, url, ironic.url) for _ in range(2)]
    try:
        for server in servers:  # both migrate the empty database at once
            wait_for(server.ready, 60, what=f"discoverd at {server.url}")
        yield servers, connect(ironic.url).baremetal
    finally:
        for server in servers:
            server.stop()


def post_to_both(servers: list[DiscoverdProcess], payload: dict) -> list[requests.Response]:
    """POST ``payload`` to every server's ``/v1/continue`` at the same moment."""
    barrier = threading.Barrier(len(servers))
    answers: list[requests.Response] = []

    def post(server: DiscoverdProcess) -> None:
        barrier.wait()
        answers.append(requests.post(f"{server.url}/v1/continue", json=payload, timeout=60))

    threads = [threading.Thread(target=post, args=(s,)) for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_same_payload_to_two_processes_is_processed_once(two_discoverds):
    servers, baremetal = two_discoverds
    prefix = time.time_ns() % 256
    for i in range(4):
        macs = [f"52:54:01:{prefix:02x}:{i:02x}:01", f"52:54:01:{prefix:02x}:{i:02x}:02"]
        node = baremetal.create_node(driver="fake-hardware", name=f"pg-{i}-{time.time_ns()}",
                                     driver_info={"ipmi_address": f"10.21.0.{i + 1}"},
                                     provision_state="manageable")
        baremetal.create_port(node_uuid=node.id, address=macs[0])
        starter = servers[i % 2]
        r = requests.post(f"{starter.url}/v1/introspection/{node.id}", timeout=30)
        assert r.status_code == 202, r.text
        payload = ramdisk_payload(macs, bmc_address=f"10.21.0.{i + 1}", cpus=2 + i)
        answers = post_to_both(servers, payload)
        codes = sorted(a.status_code for a in answers)
        # The second post is 200 too when it finds the same data stored and being
        # processed (accepted, not processed again), 404 once it is finished.
        assert codes[0] == 200 and codes[1] in (200, 404, 409), [a.text for a in answers]
        loser = answers[1] if answers[0].status_code == 200 else answers[0]
        assert node.id in (loser.json().get("uuid") or loser.json()["error"]["message"]
                           ) or codes[1] == 404
        for server in servers:  # both see one finished introspection
            status = requests.get(f"{server.url}/v1/introspection/{node.id}",
                                  timeout=10).json()
            assert status["state"] == "finished" and status["error"] is None, status
        ports = [p.address for p in baremetal.ports(node_uuid=node.id)]
        assert sorted(ports) == [macs[0]]  # add_ports=pxe: the boot MAC, once
        assert baremetal.get_node(node.id).properties["cpus"] == 2 + i
