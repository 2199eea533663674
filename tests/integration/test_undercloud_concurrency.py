"""The undercloud's Nova on SQLite under concurrent server creates and deletes
(the session's undercloud, two fake-driver computes): before ``BEGIN IMMEDIATE``
(``ironic_tripleo.lab.undercloud.sqlite_immediate``) such a burst left servers in
ERROR and Nova's and Placement's logs full of ``database is locked``."""

from __future__ import annotations

import concurrent.futures
import uuid
from pathlib import Path

from tests.harness.undercloud import active_server

SERVERS = 6  # at once (the admin project's quota is 10 instances)
ROUNDS = 2
LOGS = ("nova.log", "placement.log")


def _log_offsets(logdir: Path) -> dict[str, int]:
    return {name: (logdir / name).stat().st_size if (logdir / name).exists() else 0
            for name in LOGS}


def _new_log_lines(logdir: Path, offsets: dict[str, int]) -> list[str]:
    lines = []
    for name, offset in offsets.items():
        with open(logdir / name, "rb") as log:
            log.seek(offset)
            lines += [f"{name}: {line}" for line in
                      log.read().decode(errors="replace").splitlines()]
    return lines


def _create_and_delete(undercloud, flavor, image, name: str) -> str:
    """One server to ACTIVE and deleted again; its status and fault if it failed."""
    conn = undercloud.connection()
    try:
        active_server(conn, flavor, image, name)
        return ""
    except AssertionError as failure:
        return str(failure)
    finally:
        server = conn.compute.find_server(name)
        if server is not None:
            conn.compute.delete_server(server, ignore_missing=True)
            conn.compute.wait_for_delete(server, wait=300)


def test_concurrent_creates_and_deletes_on_sqlite(undercloud):
    undercloud.add_compute(f"fake-{uuid.uuid4().hex[:6]}")
    logdir = undercloud.plan.logdir
    offsets = _log_offsets(logdir)
    conn = undercloud.connection()
    suffix = uuid.uuid4().hex[:6]
    flavor = conn.compute.create_flavor(name=f"burst-{suffix}", vcpus=1, ram=64, disk=1)
    image = conn.image.create_image(name=f"burst-{suffix}", data=b"x" * 1024,
                                    disk_format="raw", container_format="bare",
                                    visibility="public")
    try:
        failed = []
        for round_ in range(ROUNDS):
            names = [f"burst-{suffix}-{round_}-{i}" for i in range(SERVERS)]
            with concurrent.futures.ThreadPoolExecutor(SERVERS) as pool:
                failed += [f for f in pool.map(
                    lambda name: _create_and_delete(undercloud, flavor, image, name),
                    names) if f]
    finally:
        conn.image.delete_image(image)
        conn.compute.delete_flavor(flavor)
    locked = [line for line in _new_log_lines(logdir, offsets)
              if "database is locked" in line]
    assert not failed, failed
    assert not locked, locked[:5]
