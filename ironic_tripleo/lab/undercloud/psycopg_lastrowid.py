"""``cursor.lastrowid`` on psycopg 3 cursors, as psycopg2 gives it, for Placement.

Placement 16 writes each allocation with a Core ``insert()`` and then reads
``result.lastrowid`` (``placement/objects/allocation.py``, ``_set_allocations``:
``alloc.id = res.lastrowid``). SQLAlchemy answers that with the DB-API cursor's
``lastrowid``, an optional DB-API extension that psycopg 3 does not implement, so
every ``PUT /allocations`` on ``postgresql+psycopg://`` failed with a 500
(``AttributeError: 'Cursor' object has no attribute 'lastrowid'``) and Nova could
not place a server ("No valid host"). Upstream runs Placement on PostgreSQL through
psycopg2 (SQLAlchemy's default driver for ``postgresql://``, what devstack installs),
whose ``lastrowid`` is the OID of the inserted row, an unsigned int: 0 for tables
without OIDs, which every table is since PostgreSQL 12 (its docs say None; run
against this lab's PostgreSQL, psycopg2 2.9 gave 0 after each insert, on a fresh
cursor and on a closed one). The value is never read back (Placement deletes
allocations by the ids it selects), so the id was never right upstream either; what
matters is that the attribute exists.

The alternative, Placement alone on ``postgresql+psycopg2://``, would get the same 0
but adds a second PostgreSQL driver to the undercloud venv for one attribute, and a
changed requirement list rebuilds ``.venv-undercloud`` from scratch (``side_venv``'s
stamp) under every running undercloud. ``install()`` instead
gives psycopg's ``Cursor`` and ``AsyncCursor`` classes a read-only ``lastrowid``
property with psycopg2's value (``PQoidValue`` of the last result, else 0).
Nothing on disk changes.

Run inside the services' processes (``program_runner.py``, with the undercloud
venv's python when ``UC_PSYCOPG_LASTROWID=1``): imports nothing of ironic_tripleo.
"""

from __future__ import annotations

import os
from typing import Any

ENV = "UC_PSYCOPG_LASTROWID"


def _lastrowid(cursor: Any) -> int:
    """The OID of the row the cursor's last command inserted; 0 when none or when the
    cursor holds no result (closed: SQLAlchemy closes it after reading an insert's
    ``RETURNING``), as psycopg2, whose attribute starts at ``InvalidOid`` (0)."""
    result = cursor.pgresult
    return 0 if result is None else result.oid_value


def install() -> None:
    """Give psycopg 3 cursors a ``lastrowid`` (no-op when they already have one)."""
    import psycopg

    for cls in (psycopg.Cursor, psycopg.AsyncCursor):
        if not hasattr(cls, "lastrowid"):
            cls.lastrowid = property(_lastrowid, doc="psycopg2's lastrowid: an OID")


def install_if_asked() -> None:
    """``install()`` when the environment asks for it (``UC_PSYCOPG_LASTROWID=1``)."""
    if os.environ.get(ENV) == "1":
        install()
