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

Run inside the services' processes (``wsgi_runner.py``, ``program_runner.py``, with
the undercloud venv's python when ``UC_SQLITE_IMMEDIATE=1``): imports nothing of
ironic_tripleo.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

ENV = "UC_SQLITE_IMMEDIATE"


def _immediate(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> tuple[str, Any]:
    if statement == "BEGIN" and conn.dialect.name == "sqlite":
        statement = "BEGIN IMMEDIATE"
    return statement, parameters


def install() -> Callable[[], None]:
    """Make every SQLAlchemy engine of this process begin SQLite transactions with
    ``BEGIN IMMEDIATE``; return what removes it again."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    event.listen(Engine, "before_cursor_execute", _immediate, retval=True)
    return lambda: event.remove(Engine, "before_cursor_execute", _immediate)


def install_if_asked() -> None:
    """``install()`` when the environment asks for it (``UC_SQLITE_IMMEDIATE=1``)."""
    if os.environ.get(ENV) == "1":
        install()
