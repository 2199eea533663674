"""A throwaway PostgreSQL server for tests, on the lab's own launcher.

``ironic_tripleo.lab.postgres`` does the work (initdb and pg_ctl as the
``postgres`` user, loopback, ``trust``); tests add a free port, databases with
random names, and ``fsync=off`` is not needed for their small data sets.
"""

from __future__ import annotations

import uuid

import pytest

from ironic_tripleo.lab import postgres as lab_postgres
from tests.harness.ports import free_port


class PostgresServer(lab_postgres.PostgresServer):
    """The lab's PostgreSQL on a free port; each test makes its own databases."""

    def __init__(self) -> None:
        try:
            super().__init__(free_port())
        except lab_postgres.PostgresError as exc:
            pytest.fail(str(exc))

    def create_database(self, name: str | None = None) -> str:
        """Create a database (a random name by default); return its SQLAlchemy URL."""
        return super().create_database(name or f"d_{uuid.uuid4().hex[:12]}")


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server shared by a test module (each test makes its databases)."""
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()
