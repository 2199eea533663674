"""The undercloud's databases: SQLite files (the default) or PostgreSQL.

With ``postgresql`` the undercloud runs its own server on the lab's launcher
(:mod:`ironic_tripleo.lab.postgres`: initdb and pg_ctl as the ``postgres`` user, in a
directory of its own, on a free port) and makes one database per service; the
services reach it with the psycopg 3 driver (``postgresql+psycopg://``). The server
is recorded in the plan (``postgres``: its directory and port) before it starts, so
that ``down`` and a failed ``up`` stop it.

On SQLite, making the schemas (``db_sync``, migrations) is most of a start. ``synced``
keeps a copy of the files a sync made, per undercloud venv (its stamp names the
releases), and later starts copy them instead; what a plan puts into a database
(Keystone's bootstrap, Nova's cell URLs) is done after the copy, never cached.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

from ironic_tripleo.lab.exception import PostgresError, UndercloudError
from ironic_tripleo.lab.postgres import PostgresServer
from ironic_tripleo.lab.undercloud import venv
from ironic_tripleo.lab.undercloud.plan import Plan

LOG = logging.getLogger(__name__)
CHOICES = ("sqlite", "postgresql")
#: one PostgreSQL database per service (Nova has three)
NAMES = ("keystone", "placement", "glance", "neutron", "nova_api", "nova", "nova_cell0",
         "heat")
#: bump when a service module changes what its sync step makes
CACHE_FORMAT = "1"
#: environment variable naming another cache root (the benchmark's cold run)
CACHE_ENV = "UNDERCLOUD_DB_CACHE"


def prepare(plan: Plan, kind: str) -> None:
    """Make the databases of ``kind`` and point ``plan.database`` at them.

    :raises UndercloudError: an unknown kind, or PostgreSQL did not start.
    """
    if kind not in CHOICES:
        raise UndercloudError(reason=f"database {kind!r} is not one of {', '.join(CHOICES)}")
    if kind == "sqlite":
        plan.database = "sqlite"
        return
    server = PostgresServer(plan.ports["postgres"])
    plan.postgres = {"root": str(server.root), "port": server.port}
    plan.save()
    try:
        server.start()
        url = ""
        for name in NAMES:
            url = server.create_database(name)
    except PostgresError as exc:
        raise UndercloudError(reason=f"PostgreSQL did not start: {exc}") from exc
    plan.database = url.rsplit("/", 1)[0]
    plan.save()


def stop(plan: Plan) -> None:
    """Stop the plan's PostgreSQL server, if it has one (and remove its files)."""
    if plan.postgres and Path(plan.postgres["root"]).exists():
        PostgresServer(plan.postgres["port"], Path(plan.postgres["root"])).stop()


def cache_dir(plan: Plan) -> Path:
    """Where synced SQLite files are kept for this undercloud venv's releases
    (under ``$UNDERCLOUD_DB_CACHE``, default ``<venv>/.db-cache``)."""
    stamp = plan.venv / venv.STAMP
    key = hashlib.sha256((stamp.read_bytes() if stamp.exists() else b"")
                         + CACHE_FORMAT.encode()).hexdigest()[:16]
    return Path(os.environ.get(CACHE_ENV, plan.venv / ".db-cache")) / key


def synced(plan: Plan, names: tuple[str, ...], sync: Callable[[], None]) -> bool:
    """Make databases ``names`` with ``sync``; on SQLite copy them from the cache
    instead when an earlier ``sync`` left them there.

    :returns: True when they were copied (``sync`` did not run).
    """
    if not all(plan.db_url(name).startswith("sqlite:") for name in names):
        sync()
        return False
    cached = cache_dir(plan) / "+".join(names)
    files = [f"{name}.sqlite" for name in names]
    if all((cached / name).exists() for name in files):
        for name in files:
            shutil.copyfile(cached / name, plan.datadir / name)
        LOG.info("databases %s copied from %s", ", ".join(names), cached)
        return True
    sync()
    # another undercloud may be filling the same entry: build aside, rename once
    aside = cached.with_name(f"{cached.name}.{os.getpid()}-{secrets.token_hex(4)}")
    aside.mkdir(parents=True)
    for name in files:
        shutil.copyfile(plan.datadir / name, aside / name)
    try:
        aside.rename(cached)
    except OSError:  # someone else's copy is there now; theirs is as good
        shutil.rmtree(aside, ignore_errors=True)
    return False
