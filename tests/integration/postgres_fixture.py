"""A throwaway PostgreSQL server for tests: initdb, pg_ctl start, always stopped.

PostgreSQL refuses to run as root, so the cluster runs as the ``postgres`` user in
a fresh directory it owns (pytest's ``tmp_path`` is not reachable by that user).
It listens on 127.0.0.1 on a free port and on a Unix socket in the same
directory; authentication is ``trust`` (loopback only, test data only).
"""

import glob
import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.netutil import free_port

USER = "postgres"


def pg_bindir() -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin`` with ``initdb`` and ``pg_ctl``."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(Path(p).parent.parent.name))
    if not found:
        pytest.fail("PostgreSQL is not installed: run scripts/install-system-packages.sh")
    return Path(found[-1]).parent


class PostgresServer:
    """One PostgreSQL cluster in its own directory, on its own port."""

    def __init__(self) -> None:
        self.bindir = pg_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="discoverd-pg-"))
        self.datadir = self.root / "data"
        self.port = free_port()
        self.started = False

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["runuser", "-u", USER, "--", *args], check=True,
                              capture_output=True, text=True, timeout=120)

    def start(self) -> "PostgresServer":
        """initdb, then start the server and wait until it accepts connections."""
        shutil.chown(self.root, USER, USER)
        self._run(str(self.bindir / "initdb"), "-D", str(self.datadir), "--auth=trust",
                  f"--username={USER}", "--encoding=UTF8", "--no-sync")
        options = (f"-k {self.root} -p {self.port} -h 127.0.0.1 -c fsync=off "
                   f"-c max_connections=100")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-w", "-t", "60",
                  "-o", options, "-l", str(self.root / "server.log"), "start")
        self.started = True
        return self

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of ``database`` (psycopg 3 driver)."""
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """Create a database with a random name; return its SQLAlchemy URL."""
        name = f"d_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(host="127.0.0.1", port=self.port, user=USER,
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server (fast shutdown, then SIGKILL by pid) and remove its files."""
        try:
            if self.started:
                try:
                    self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-w",
                              "-t", "20", "-m", "fast", "stop")
                except (subprocess.SubprocessError, OSError):
                    self._kill()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _kill(self) -> None:
        pidfile = self.datadir / "postmaster.pid"
        try:
            pid = int(pidfile.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server shared by a test module (each test makes its databases)."""
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()
