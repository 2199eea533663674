"""Why the undercloud's Nova hit ``database is locked`` on SQLite, and the fix, with
real SQLite through oslo.db's engine (the one Nova, Placement, Glance, Keystone and
Heat use): a transaction that read first and then writes fails at once while another
connection holds the write lock (SQLite skips the busy handler there); with
``sqlite_immediate.install()`` it waits for the lock and both writes land."""

from __future__ import annotations

import os
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
    sqlite_immediate.install_if_asked()
    try:
        assert sqlalchemy.event.contains(sqlalchemy.engine.Engine, "before_cursor_execute",
                                         sqlite_immediate._immediate) is installed
    finally:
        if installed:
            sqlalchemy.event.remove(sqlalchemy.engine.Engine, "before_cursor_execute",
                                    sqlite_immediate._immediate)


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
