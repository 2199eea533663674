"""Ironic's empty SQLite schema, made by ``ironic-dbsync`` once per Ironic installation.

``ironic-dbsync create_schema`` imports all of Ironic and SQLAlchemy's models before
writing a few hundred kilobytes of empty tables: about three seconds of CPU for every
standalone Ironic the lab (and each integration test) starts. The schema depends only
on the installed Ironic, and a SQLite database is one self-contained file, so the
first ``create_schema`` against an installation writes a template next to it and
later ones copy that template (the same tables and ``alembic_version`` row).

The template lives in ``<venv>/.db-cache/``, the prefix of the
``ironic-dbsync`` program, named by a digest of that program's and Ironic's
migrations' paths and modification times: reinstalling or upgrading Ironic (pip
rewrites its scripts and migrations) makes a new one. It is written to a temporary
name and renamed, so concurrent first uses (several test sessions) at worst both run
``ironic-dbsync``; none reads a half-written template.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

#: under the venv, beside the undercloud's schema cache (``lab/undercloud/databases.py``)
CACHE_DIR = Path(".db-cache")


def _installation_key(dbsync: Path) -> str:
    """A digest that changes when the Ironic behind ``dbsync`` is reinstalled."""
    parts = []
    prefix = dbsync.parent.parent
    migrations = sorted(prefix.glob("lib/python*/site-packages/ironic/db/sqlalchemy/"
                                    "alembic/versions"))
    for path in [dbsync, *migrations]:
        stat = path.stat()
        parts.append(f"{path.resolve()}:{stat.st_mtime_ns}:{stat.st_size}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _run_dbsync(dbsync: Path, database: Path) -> None:
    """Run ``ironic-dbsync create_schema`` for the SQLite file ``database``."""
    config = database.with_name(database.name + ".dbsync.conf")
    config.write_text(f"[database]\nconnection = sqlite:///{database.resolve()}\n")
    try:
        subprocess.run([str(dbsync), "--config-file", str(config), "create_schema"],
                       check=True, capture_output=True, timeout=300)
    finally:
        config.unlink(missing_ok=True)


def template(dbsync: Path) -> Path:
    """Return the empty-schema template for the Ironic of ``dbsync``; make it first."""
    cache = dbsync.parent.parent / CACHE_DIR
    path = cache / f"ironic-schema-{_installation_key(dbsync)}.sqlite"
    if path.exists():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(prefix=".schema-", suffix=".sqlite", dir=cache)
    os.close(fd)
    scratch_path = Path(scratch)
    try:
        scratch_path.unlink()  # create_schema wants to create the file itself
        _run_dbsync(dbsync, scratch_path)
        os.replace(scratch_path, path)
    finally:
        scratch_path.unlink(missing_ok=True)
    return path


def create_schema(dbsync: Path, database: Path) -> None:
    """Give the new SQLite file ``database`` Ironic's schema, as ``create_schema`` does.

    An existing ``database`` is handed to ``ironic-dbsync`` itself, which refuses it
    as it always did, rather than being overwritten.

    :raises subprocess.CalledProcessError: when ``ironic-dbsync`` fails.
    """
    if database.exists():
        _run_dbsync(dbsync, database)
        return
    shutil.copyfile(template(dbsync), database)
