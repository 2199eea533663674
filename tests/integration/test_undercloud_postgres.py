"""The undercloud on PostgreSQL (``undercloud up --database postgresql``): its own
server on the lab's PostgreSQL launcher, one database per service (Placement's too),
a server created and deleted on a fake-driver compute with its allocations written to
and removed from Placement's PostgreSQL tables, the server stopped and removed on
``down``.

A second undercloud besides the session's (it cannot share that one's SQLite
databases): it costs a whole start."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest

from ironic_tripleo.cli import main as cli
from ironic_tripleo.lab.undercloud import databases
from ironic_tripleo.lab.undercloud.undercloud import Undercloud
from tests.harness.undercloud import UndercloudHandle, active_server

#: A whole second undercloud (~5 min): `make test-extended`, not `make test`.
pytestmark = pytest.mark.extended


def test_undercloud_on_postgresql(tmp_path):
    host = f"fake-{uuid.uuid4().hex[:6]}"
    launcher = Undercloud(tmp_path)
    try:
        assert cli.main(["undercloud", "up", "--workdir", str(tmp_path), "--database",
                         "postgresql", "--no-ironic", "--fake-compute", host]) == 0
        plan = launcher.plan()
        assert plan.database.startswith("postgresql+psycopg://")
        assert not list(plan.datadir.glob("*.sqlite"))  # no service on SQLite
        port = plan.postgres["port"]
        with psycopg.connect(host="127.0.0.1", port=port, user="postgres",
                             dbname="postgres") as pg:
            names = {row[0] for row in pg.execute("SELECT datname FROM pg_database")}
        assert {*databases.NAMES, "placement"} <= names
        assert {"resource_providers", "allocations"} <= _tables(port, "placement")
        conn = UndercloudHandle(launcher, plan, host).connection()
        suffix = uuid.uuid4().hex[:6]
        flavor = conn.compute.create_flavor(name=f"pg-{suffix}", vcpus=1, ram=64, disk=1)
        image = conn.image.create_image(name=f"pg-{suffix}", data=b"x" * 1024,
                                        disk_format="raw", container_format="bare",
                                        visibility="public")
        server = active_server(conn, flavor, image, f"pg-{suffix}")
        assert server.compute_host == host
        # the allocation (Placement's 500 on psycopg 3 before psycopg_lastrowid)
        wanted = {"VCPU": 1, "MEMORY_MB": 64, "DISK_GB": 1}
        api = conn.placement.get(f"/allocations/{server.id}").json()["allocations"]
        assert [a["resources"] for a in api.values()] == [wanted], api
        assert _allocations(port, server.id) == wanted
        conn.compute.delete_server(server)
        conn.compute.wait_for_delete(server, wait=300)
        assert _allocations(port, server.id) == {}
        # the instance's row is in PostgreSQL (soft-deleted), not in a file
        with psycopg.connect(host="127.0.0.1", port=port, user="postgres",
                             dbname="nova") as pg:
            rows = pg.execute("SELECT vm_state, deleted FROM instances WHERE uuid = %s",
                              (server.id,)).fetchall()
        assert rows and rows[0][0] == "deleted" and rows[0][1] != 0, rows
        pg_root = Path(plan.postgres["root"])
    finally:
        launcher.down()
    assert not pg_root.exists()  # stopped and removed with the undercloud
    assert all(row["state"] == "stopped" for row in launcher.status())


def _tables(port: int, dbname: str) -> set[str]:
    """The tables of PostgreSQL database ``dbname``."""
    with psycopg.connect(host="127.0.0.1", port=port, user="postgres",
                         dbname=dbname) as pg:
        return {row[0] for row in pg.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public'")}


def _allocations(port: int, consumer: str) -> dict[str, int]:
    """What consumer ``consumer`` holds, by resource class, in Placement's
    PostgreSQL database."""
    with psycopg.connect(host="127.0.0.1", port=port, user="postgres",
                         dbname="placement") as pg:
        return dict(pg.execute(
            "SELECT rc.name, a.used FROM allocations a"
            " JOIN resource_classes rc ON rc.id = a.resource_class_id"
            " WHERE a.consumer_id = %s", (consumer,)).fetchall())
