"""SQLite transactions that wait for the write lock instead of failing at once.

Why the undercloud's Nova failed with ``database is locked``: oslo.db runs every
SQLite transaction as a plain (deferred) ``BEGIN``. Nova's writes read first
(``service_update``, ``instance.save``...), so the transaction holds a read lock
when it asks for the write lock; if another connection (the API's threads, the
conductor, the scheduler all write ``nova.sqlite``) holds the write lock then,
SQLite returns ``SQLITE_BUSY`` *without* calling the busy handler (waiting could
deadlock two readers that both want to write), whatever the busy timeout. The
failure is immediate, not after pysqlite's 5 s.

``install()`` turns oslo.db's ``BEGIN`` on SQLite into ``BEGIN IMMEDIATE``: the write
lock is taken when the transaction starts, holding nothing, so SQLite waits for it
up to the busy timeout (``?timeout=`` in the database URL, see ``plan.db_url``).
Transactions on one file run one at a time; for a lab's few requests a second that
is what SQLite can do anyway.

One exception keeps that from deadlocking a thread with itself: a transaction begun
while the *same thread* already holds the write lock of the same file, on another
connection, stays a plain ``BEGIN``. Placement does this (``allocation.replace_all``
re-reads resource providers in a ``reader.independent`` transaction inside the
handler's writer after a generation conflict); as ``BEGIN IMMEDIATE`` it waited for
its own thread's lock until the busy timeout and the ``PUT /allocations`` failed with
``database is locked``. Deferred, it reads as it would without this module.

Run inside the services' processes (``wsgi_runner.py``, ``program_runner.py``, with
the undercloud venv's python when ``UC_SQLITE_IMMEDIATE=1``): imports nothing of
ironic_tripleo.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

ENV = "UC_SQLITE_IMMEDIATE"

#: id of each DBAPI connection whose ``BEGIN IMMEDIATE`` holds the write lock now ->
#: (the thread that began it, the database file). Read at the next ``BEGIN``.
_holders: dict[int, tuple[int, str]] = {}


def _dbapi_id(conn: Any) -> int:
    return id(conn.connection.dbapi_connection)


def _lock_key(conn: Any) -> tuple[int, str]:
    # threading.get_ident looked up at each call: under eventlet's monkey patching
    # (Nova's services) it names the green thread.
    return threading.get_ident(), str(conn.engine.url.database)


def _immediate(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> tuple[str, Any]:
    if (statement == "BEGIN" and conn.dialect.name == "sqlite"
            and _lock_key(conn) not in _holders.values()):
        statement = "BEGIN IMMEDIATE"
    return statement, parameters


def _began(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
           executemany: bool) -> None:
    if statement == "BEGIN IMMEDIATE":
        _holders[_dbapi_id(conn)] = _lock_key(conn)


def _ended(conn: Any) -> None:
    _holders.pop(_dbapi_id(conn), None)


def _returned(dbapi_connection: Any, connection_record: Any) -> None:
    _holders.pop(id(dbapi_connection), None)  # back in the pool: no transaction left


def install() -> Callable[[], None]:
    """Make every SQLAlchemy engine of this process begin SQLite transactions with
    ``BEGIN IMMEDIATE`` (but for the exception above); return what removes it again."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import Pool

    listeners = [(Engine, "before_cursor_execute", _immediate, {"retval": True}),
                 (Engine, "after_cursor_execute", _began, {}),
                 (Engine, "commit", _ended, {}), (Engine, "rollback", _ended, {}),
                 (Pool, "checkin", _returned, {})]
    for target, name, listener, options in listeners:
        event.listen(target, name, listener, **options)

    def remove() -> None:
        for target, name, listener, _ in listeners:
            event.remove(target, name, listener)
        _holders.clear()

    return remove


def install_if_asked() -> Callable[[], None] | None:
    """``install()`` when the environment asks for it (``UC_SQLITE_IMMEDIATE=1``);
    what removes it again, or None."""
    return install() if os.environ.get(ENV) == "1" else None
