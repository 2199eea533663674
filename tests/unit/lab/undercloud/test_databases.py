"""The undercloud's database cache (``databases.synced``) and kind check, on real
SQLite files in tmp_path."""

import sqlite3

import pytest

from ironic_tripleo.lab.exception import UndercloudError
from ironic_tripleo.lab.undercloud import databases, venv
from ironic_tripleo.lab.undercloud.plan import Plan


def _plan(tmp_path, name="uc"):
    (tmp_path / "venv").mkdir(exist_ok=True)
    (tmp_path / "venv" / venv.STAMP).write_text("nova==34.0.0\n")
    return Plan.new(tmp_path / name, tmp_path / "venv")


def _sync(plan, calls):
    def sync():
        calls.append(plan.root.name)
        with sqlite3.connect(plan.datadir / "heat.sqlite") as db:
            db.execute("CREATE TABLE stack (id INTEGER)")
    return sync


def test_second_sync_is_a_copy(tmp_path):
    calls = []
    first = _plan(tmp_path, "first")
    assert databases.synced(first, ("heat",), _sync(first, calls)) is False
    second = _plan(tmp_path, "second")
    assert databases.synced(second, ("heat",), _sync(second, calls)) is True
    assert calls == ["first"]
    with sqlite3.connect(second.datadir / "heat.sqlite") as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("stack",)]


def test_new_venv_stamp_is_a_new_cache(tmp_path):
    calls = []
    first = _plan(tmp_path, "first")
    databases.synced(first, ("heat",), _sync(first, calls))
    (tmp_path / "venv" / venv.STAMP).write_text("nova==35.0.0\n")
    second = Plan.new(tmp_path / "second", tmp_path / "venv")
    assert databases.synced(second, ("heat",), _sync(second, calls)) is False
    assert calls == ["first", "second"]


def test_postgresql_always_syncs(tmp_path):
    plan = _plan(tmp_path)
    plan.database = "postgresql+psycopg://postgres@127.0.0.1:5432"
    calls = []
    for _ in range(2):
        assert databases.synced(plan, ("heat",), lambda: calls.append(1)) is False
    assert calls == [1, 1]


def test_unknown_kind(tmp_path):
    with pytest.raises(UndercloudError, match="'mysql' is not one of sqlite, postgresql"):
        databases.prepare(_plan(tmp_path), "mysql")
