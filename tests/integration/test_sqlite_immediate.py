"""Why the undercloud's Nova hit ``database is locked`` on SQLite, and the fix, with
real SQLite through oslo.db's engine (the one Nova, Placement, Glance, Keystone and
Heat use): a transaction that read first and then writes fails at once while another
connection holds the write lock (SQLite skips the busy handler there); with
``sqlite_immediate.install()`` it waits for the lock and both writes land."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy
from oslo_db.sqlalchemy import engines

from ironic_tripleo.lab.undercloud import sqlite_immediate

HOLD_SECONDS = 1.0  # how long the first writer keeps the lock (not an assertion)


def _engine(tmp_path):
    engine = engines.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}?timeout=30")
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text("CREATE TABLE services (id INTEGER PRIMARY KEY, "
                                     "report_count INTEGER)"))
        conn.execute(sqlalchemy.text("INSERT INTO services VALUES (1, 0)"))
    return engine


def _read_then_write(engine, holding: threading.Event | None = None,
                     release: threading.Event | None = None) -> None:
    """What Nova's service_update does: SELECT the row, then UPDATE it."""
    with engine.begin() as conn:
        count = conn.execute(sqlalchemy.text(
            "SELECT report_count FROM services WHERE id = 1")).scalar_one()
        conn.execute(sqlalchemy.text("UPDATE services SET report_count = :c WHERE id = 1"),
                     {"c": count + 1})
        if holding is not None:
            holding.set()
            release.wait(HOLD_SECONDS)


def _two_writers(engine) -> list[BaseException]:
    """A holds the write lock; B reads, then writes. Returns B's errors."""
    holding, release, errors = threading.Event(), threading.Event(), []
    first = threading.Thread(target=_read_then_write, args=(engine, holding, release))
    first.start()
    assert holding.wait(30), "the first writer never took the lock"
    try:
        _read_then_write(engine)
    except sqlalchemy.exc.OperationalError as exc:
        errors.append(exc)
    finally:
        release.set()
        first.join(30)
    return errors


def test_deferred_begin_fails_at_once_while_another_writes(tmp_path):
    """The defect as SQLite shows it (what the fix is for)."""
    engine = _engine(tmp_path)
    errors = _two_writers(engine)
    assert errors and "database is locked" in str(errors[0])


def test_begin_immediate_waits_for_the_lock(tmp_path):
    engine = _engine(tmp_path)
    remove = sqlite_immediate.install()
    try:
        errors = _two_writers(engine)
    finally:
        remove()
    assert errors == []
    with engine.connect() as conn:
        count = conn.execute(sqlalchemy.text(
            "SELECT report_count FROM services")).scalar_one()
    assert count == 2  # both writes landed, one after the other


@pytest.mark.parametrize("value, installed", [("1", True), ("", False)])
def test_install_if_asked(monkeypatch, value, installed):
    monkeypatch.setenv(sqlite_immediate.ENV, value)
    remove = sqlite_immediate.install_if_asked()
    try:
        assert sqlalchemy.event.contains(sqlalchemy.engine.Engine, "before_cursor_execute",
                                         sqlite_immediate._immediate) is installed
    finally:
        if remove is not None:
            remove()
    assert not sqlalchemy.event.contains(sqlalchemy.engine.Engine, "before_cursor_execute",
                                         sqlite_immediate._immediate)


def _lock_is_free(path: Path) -> bool:
    """Whether another connection could take the write lock of ``path`` right now."""
    other = sqlite3.connect(path, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.rollback()
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def test_independent_reader_inside_a_writer_of_the_same_thread(tmp_path):
    """Placement's ``replace_all`` after a generation conflict: inside its writer
    transaction it reads on a second connection. As ``BEGIN IMMEDIATE`` that reader
    waited for its own thread's lock (here 2 s, Placement's 60 s) and failed with
    ``database is locked``; it must read at once, and the writer still commit."""
    engine = engines.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}?timeout=2")
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text("CREATE TABLE rp (id INTEGER PRIMARY KEY, gen INTEGER)"))
        conn.execute(sqlalchemy.text("INSERT INTO rp VALUES (1, 0)"))
    remove = sqlite_immediate.install()
    try:
        with engine.begin() as writer:
            writer.execute(sqlalchemy.text("UPDATE rp SET gen = 1"))
            assert not _lock_is_free(tmp_path / "db.sqlite")  # the writer holds it
            with engine.begin() as reader:  # the independent one
                assert reader.execute(sqlalchemy.text("SELECT gen FROM rp")).scalar_one() == 0
            writer.execute(sqlalchemy.text("UPDATE rp SET gen = 2"))
        assert _lock_is_free(tmp_path / "db.sqlite")
        # the exception ended with the writer: the next transaction takes the lock
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text("SELECT gen FROM rp"))
            assert not _lock_is_free(tmp_path / "db.sqlite")
        assert sqlite_immediate._holders == {}
    finally:
        remove()
    with engine.connect() as conn:
        assert conn.execute(sqlalchemy.text("SELECT gen FROM rp")).scalar_one() == 2


def test_another_threads_transaction_still_waits_for_the_lock(tmp_path):
    """The exception is per thread: while one thread writes, another thread's
    transaction still queues for the lock (so its read-then-write cannot fail)."""
    engine = _engine(tmp_path)
    remove = sqlite_immediate.install()
    try:
        with engine.begin() as writer:
            writer.execute(sqlalchemy.text("UPDATE services SET report_count = 5"))
            started = threading.Event()
            seen: list[int] = []

            def other() -> None:
                started.set()
                with engine.begin() as conn:
                    seen.append(conn.execute(sqlalchemy.text(
                        "SELECT report_count FROM services")).scalar_one())

            thread = threading.Thread(target=other)
            thread.start()
            assert started.wait(30)
            thread.join(HOLD_SECONDS)
            assert thread.is_alive() and seen == []  # queued behind the writer
        thread.join(30)
        assert seen == [5]  # it began after the commit and read the committed value
    finally:
        remove()


PROBE = """
import sqlite3, sys
import sqlalchemy
engine = sqlalchemy.create_engine("sqlite:///" + sys.argv[1])
with engine.connect() as conn:
    conn.connection.driver_connection.isolation_level = None  # as oslo.db does
    conn.execute(sqlalchemy.text("BEGIN"))
    other = sqlite3.connect(sys.argv[1], timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        print("deferred")  # the first BEGIN took no lock
    except sqlite3.OperationalError:
        print("immediate")
"""


@pytest.mark.parametrize("env, expected", [({"UC_SQLITE_IMMEDIATE": "1"}, "immediate"),
                                           ({}, "deferred")])
def test_program_runner_prepares_the_process(tmp_path, env, expected):
    """What the services' processes run through (``service.program``/``wsgi``)."""
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    runner = Path(sqlite_immediate.__file__).with_name("program_runner.py")
    clean = {k: v for k, v in os.environ.items() if k != sqlite_immediate.ENV}
    out = subprocess.run([sys.executable, str(runner), str(probe), str(tmp_path / "p.db")],
                         env={**clean, **env}, capture_output=True, text=True, timeout=60,
                         check=True).stdout
    assert out.strip() == expected
