"""A PostgreSQL server of the lab's own: initdb, pg_ctl start/stop, one database.

PostgreSQL refuses to run as root, so the cluster runs as the ``postgres`` user in a
directory it owns (``mkdtemp``: the lab's workdir may not be reachable by that
user). It listens on 127.0.0.1 on the given port and on a Unix socket in the same
directory; authentication is ``trust`` (loopback only: a lab, not a production
database).
"""

from __future__ import annotations

import glob
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

from ironic_tripleo.lab import process
from ironic_tripleo.lab.exception import PostgresError

LOG = logging.getLogger(__name__)
USER = "postgres"


def bindir() -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin`` that has ``pg_ctl``."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(Path(p).parent.parent.name))
    if not found:
        raise PostgresError(reason="not installed: run scripts/install-system-packages.sh")
    return Path(found[-1]).parent


class PostgresServer:
    """One PostgreSQL cluster on ``port``, in a fresh directory; ``stop()`` removes it."""

    def __init__(self, port: int, root: Path | None = None) -> None:
        """A new server; with ``root``, the one already started there (to stop it)."""
        self.bindir = bindir()
        self.port = port
        self.root = root or Path(tempfile.mkdtemp(prefix="ironic-tripleo-pg-"))
        self.datadir = self.root / "data"
        self.started = root is not None

    def _run(self, *args: str) -> None:
        result = subprocess.run(["runuser", "-u", USER, "--", *args], capture_output=True,
                                text=True, timeout=120, check=False)
        if result.returncode:
            raise PostgresError(reason=f"{Path(args[0]).name} failed: "
                                       f"{result.stderr.strip() or result.stdout.strip()}")

    def start(self, max_connections: int = 200) -> PostgresServer:
        """initdb, then start the server and wait until it accepts connections."""
        shutil.chown(self.root, USER, USER)
        self._run(str(self.bindir / "initdb"), "-D", str(self.datadir), "--auth=trust",
                  f"--username={USER}", "--encoding=UTF8", "--no-sync")
        options = (f"-k {self.root} -p {self.port} -h 127.0.0.1 "
                   f"-c max_connections={max_connections}")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-w", "-t", "60",
                  "-o", options, "-l", str(self.root / "server.log"), "start")
        self.started = True
        LOG.info("PostgreSQL on 127.0.0.1:%s (%s)", self.port, self.datadir)
        return self

    def create_database(self, name: str) -> str:
        """Create database ``name``; return its SQLAlchemy URL (psycopg 3 driver)."""
        with psycopg.connect(host="127.0.0.1", port=self.port, user=USER,
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        """Stop the server (fast shutdown, SIGKILL by pid after) and remove its files."""
        try:
            if self.started:
                try:
                    self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-w",
                              "-t", "20", "-m", "fast", "stop")
                except (PostgresError, subprocess.SubprocessError):
                    pid_file = self.datadir / "postmaster.pid"
                    first = pid_file.read_text().split()[:1] if pid_file.exists() else []
                    if first and first[0].isdigit():
                        process.kill_pid(int(first[0]))
                self.started = False
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
