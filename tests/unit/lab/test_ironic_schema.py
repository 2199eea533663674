"""The empty Ironic schema: made by ``ironic-dbsync`` once per installation, then copied.

``ironic-dbsync`` is a small stand-in script in a temporary "venv" that makes a
SQLite file with one table, refuses an existing file (as Ironic's does) and records
each run.
"""

import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from ironic_tripleo.lab import ironic_schema

FAKE_DBSYNC = textwrap.dedent("""\
    #!{python}
    import configparser, sqlite3, sys
    from pathlib import Path
    conf = configparser.ConfigParser()
    conf.read(sys.argv[sys.argv.index("--config-file") + 1])
    database = Path(conf["database"]["connection"].removeprefix("sqlite:///"))
    with open({runs!r}, "a") as runs:
        runs.write(str(database) + "\\n")
    if database.exists():
        sys.exit("database exists")
    db = sqlite3.connect(database)
    db.execute("CREATE TABLE nodes (uuid TEXT)")
    db.commit()
    """)


@pytest.fixture
def dbsync(tmp_path):
    """A fake ``ironic-dbsync`` in ``tmp_path/venv/bin``."""
    path = tmp_path / "venv" / "bin" / "ironic-dbsync"
    path.parent.mkdir(parents=True)
    runs = tmp_path / "runs"
    path.write_text(FAKE_DBSYNC.format(python=sys.executable, runs=str(runs)))
    path.chmod(0o755)
    return path


def runs_of(dbsync):
    """The databases the fake ``ironic-dbsync`` was run for, in order."""
    runs = dbsync.parent.parent.parent / "runs"
    return runs.read_text().splitlines() if runs.exists() else []


def tables(database):
    with sqlite3.connect(database) as db:
        return [row[0] for row in db.execute("SELECT name FROM sqlite_master")]


def test_first_schema_runs_dbsync_later_ones_copy_its_template(tmp_path, dbsync):
    for name in ("a.sqlite", "b.sqlite", "c.sqlite"):
        ironic_schema.create_schema(dbsync, tmp_path / name)
        assert tables(tmp_path / name) == ["nodes"]
    assert len(runs_of(dbsync)) == 1
    (template,) = (tmp_path / "venv" / ".db-cache").iterdir()
    assert template.read_bytes() == (tmp_path / "c.sqlite").read_bytes()


def test_reinstalled_ironic_gets_a_new_template(tmp_path, dbsync):
    first = ironic_schema.template(dbsync)
    stat = dbsync.stat()
    os.utime(dbsync, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = ironic_schema.template(dbsync)
    assert first != second and second.exists()
    assert len(runs_of(dbsync)) == 2


def test_existing_database_goes_to_dbsync_and_is_not_overwritten(tmp_path, dbsync):
    ironic_schema.template(dbsync)
    existing = tmp_path / "old.sqlite"
    existing.write_bytes(b"the old lab's nodes")
    with pytest.raises(subprocess.CalledProcessError):
        ironic_schema.create_schema(dbsync, existing)
    assert existing.read_bytes() == b"the old lab's nodes"
    assert runs_of(dbsync)[-1] == str(existing.resolve())


def test_failed_dbsync_leaves_no_template(tmp_path, dbsync):
    dbsync.write_text("#!/bin/sh\nexit 3\n")
    with pytest.raises(subprocess.CalledProcessError):
        ironic_schema.create_schema(dbsync, tmp_path / "a.sqlite")
    assert list((tmp_path / "venv" / ".db-cache").iterdir()) == []
    assert not (tmp_path / "a.sqlite").exists()
