"""Engine, sessions and schema upgrades of discoverd's database."""

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

import alembic.command
import alembic.config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

LOG = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
#: Key of the PostgreSQL advisory lock held while migrating (any constant bigint).
MIGRATION_LOCK_KEY = 0x646973636F766572  # "discover"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Database:
    """One database: an engine, a session factory and the alembic upgrade.

    :param url: SQLAlchemy URL; ``sqlite://`` (memory) is shared by all threads.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        kwargs: dict = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            if url in ("sqlite://", "sqlite:///:memory:"):
                kwargs["poolclass"] = StaticPool
        else:  # a server database: survive its restarts
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed on success, rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    def alembic_config(self) -> alembic.config.Config:
        """Alembic configuration pointing at discoverd's migrations."""
        config = alembic.config.Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        return config

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to ``revision`` (idempotent, safe to run concurrently).

        On PostgreSQL the upgrade runs under a transaction-level advisory lock, so
        discoverd processes starting together migrate one after the other (the
        later ones find the schema current); DDL there is transactional. SQLite
        serialises writers itself.
        """
        config = self.alembic_config()
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                   {"key": MIGRATION_LOCK_KEY})
            config.attributes["connection"] = connection
            alembic.command.upgrade(config, revision)
        LOG.debug("database %s upgraded to %s", self.engine.url, revision)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
