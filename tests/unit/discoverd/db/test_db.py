"""Migrations, compare-and-swap transitions, data storage."""

import datetime
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from discoverd import exception, records
from discoverd.db.api import Database
from discoverd.db.models import Base
from discoverd.state import Event
from tests.harness.db_race import race_to_processing


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'd.sqlite'}")
    database.upgrade()
    yield database
    database.dispose()


def test_migrations_match_models(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    db.upgrade()  # idempotent


def test_in_memory_database_is_shared_between_threads():
    database = Database("sqlite://")
    database.upgrade()
    records.start(database, "n1", True, {})
    seen = []
    thread = threading.Thread(target=lambda: seen.append(records.get(database, "n1")))
    thread.start()
    thread.join()
    assert seen[0].state == "starting"


def test_start_records_attributes_and_restart_replaces_them(db):
    records.start(db, "n1", True, {"mac": ["m1", "m2"], "bmc_address": ["10.0.0.1"]})
    rows = records.find_by_attributes(db, [("mac", "m1"), ("bmc_address", "10.0.0.1"),
                                                  ("mac", "zz")])
    assert sorted(r[3] for r in rows) == ["10.0.0.1", "m1"]
    records.transition(db, "n1", Event.wait)
    records.start(db, "n1", False, {"mac": ["m3"]})
    assert records.find_by_attributes(db, [("mac", "m1")]) == []
    assert records.get(db, "n1").manage_boot is False


def test_finishing_drops_attributes_and_sets_finished_at(db):
    records.start(db, "n1", True, {"mac": ["m1"]})
    records.transition(db, "n1", Event.error, error="bad")
    record = records.get(db, "n1")
    assert record.finished_at is not None and record.error == "bad"
    assert records.find_by_attributes(db, [("mac", "m1")]) == []


def test_compare_and_swap_on_version(db):
    records.start(db, "n1", True, {})
    version = records.get(db, "n1").version_id
    records.transition(db, "n1", Event.wait, expect_version=version)
    with pytest.raises(exception.ConcurrentUpdate):
        records.transition(db, "n1", Event.timeout, expect_version=version)


def test_two_processes_only_one_processes(tmp_path):
    results = race_to_processing(f"sqlite:///{tmp_path / 'shared.sqlite'}")
    assert len(results) == 2 and results.count("won") == 1


def test_timed_out_and_data(db):
    records.start(db, "n1", True, {})
    future = datetime.datetime.now() + datetime.timedelta(hours=2)
    assert [u for u, _ in records.timed_out(db, future)] == ["n1"]
    with pytest.raises(exception.DataNotFound):
        records.get_data(db, "n1", processed=True)
    records.store_data(db, "n1", {"a": 1}, processed=True)
    records.store_data(db, "n1", {"a": 2}, processed=True)
    assert records.get_data(db, "n1", processed=True) == {"a": 2}
