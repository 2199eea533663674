"""A production-shaped Ironic: PostgreSQL, ``ironic-api`` workers, several conductors.

What an operator scales out to beyond the all-in-one :mod:`ironic_service`:

- one PostgreSQL database (:mod:`ironic_tripleo.lab.postgres`, or any URL given);
- Ironic's API (``ironic.wsgi``) in ``api_workers`` processes on one port
  (:mod:`ironic_tripleo.lab.wsgi_runner`: Ironic 39's own ``ironic-api`` serves from
  one process whatever ``api_workers`` says, its other workers crash-looping on the
  port);
- ``ironic-conductor`` processes, one per JSON-RPC port, each registered under its
  own host name: with ``rpc_transport = json-rpc`` and a port other than 8089, a
  conductor registers as ``<[DEFAULT] host>:<[json_rpc] port>``, which the API's
  JSON-RPC client splits into the address and port to call. On one hash ring, Ironic maps every
  node to one of them, and each has its own process, hence its own IPMI session
  pool. When a conductor stops heart-beating for ``heartbeat_timeout`` seconds, the
  others take its nodes over.

Every process gets its own ``ironic.conf`` (rendered by
:func:`ironic_tripleo.lab.ironic_service.render_config`) and work directory.
"""

from __future__ import annotations

import dataclasses
import logging
import subprocess
import sys
from pathlib import Path

import requests

from ironic_tripleo import lab_seam
from ironic_tripleo.lab import process
from ironic_tripleo.lab.exception import ClusterStartError
from ironic_tripleo.lab.ironic_service import (
    API_VERSION_HEADER,
    IronicConfig,
    IronicService,
    program_path,
    render_config,
)
from ironic_tripleo.lab.keystone_auth import service_token
from ironic_tripleo.lab.ports import free_ports
from ironic_tripleo.lab.postgres import PostgresServer
from ironic_tripleo.lab.readiness import wait_until

LOG = logging.getLogger(__name__)
#: Serves ``ironic.wsgi`` in ``api_workers`` processes (run by path).
WSGI_RUNNER = Path(__file__).with_name("wsgi_runner.py")


#: The lab's Ironic shapes (``lab up --ironic``).
SHAPES = ("all-in-one", "production")


@dataclasses.dataclass
class ClusterConfig:
    """The cluster's shape; ``ironic`` holds what every process shares.

    :param rpc_ports: one JSON-RPC port per conductor (their number is the count).
    :param database_port: the lab's PostgreSQL port, when ``database_url`` is None.
    """

    ironic: IronicConfig
    rpc_ports: tuple[int, ...]
    api_workers: int = 2
    database_url: str | None = None
    database_port: int | None = None
    heartbeat_interval: int = 10
    heartbeat_timeout: int = 60


def conductor_host(rpc_port: int) -> str:
    """The host name Ironic registers for the conductor with JSON-RPC on ``rpc_port``."""
    return f"127.0.0.1:{rpc_port}"


class IronicCluster:
    """Start and stop PostgreSQL, ``ironic-api`` and the conductors of ``cfg``."""

    def __init__(self, cfg: ClusterConfig) -> None:
        self.cfg = cfg
        self.workdir = cfg.ironic.workdir.resolve()
        self.postgres: PostgresServer | None = None
        self.database_url = cfg.database_url
        self.pids: dict[str, int] = {}

    @property
    def url(self) -> str:
        return self.cfg.ironic.url

    @property
    def conductor_hosts(self) -> list[str]:
        return [conductor_host(port) for port in self.cfg.rpc_ports]

    def _config(self, name: str, rpc_port: int | None) -> Path:
        """Write the ``ironic.conf`` of process ``name``; return its path.

        Every process shares the cluster's work directory (TFTP and HTTP roots, image
        caches, locks: one host); each has its own config, log, stderr and pid file
        in ``<workdir>/<name>/``.
        """
        base = self.cfg.ironic
        extra = {section: dict(values) for section, values in base.extra.items()}
        default = extra.setdefault("DEFAULT", {})
        default.update(rpc_transport="json-rpc",
                       log_file=str(self.workdir / name / "ironic.log"))
        extra.setdefault("database", {})["connection"] = self.database_url or ""
        extra.setdefault("api", {})["api_workers"] = str(self.cfg.api_workers)
        extra.setdefault("json_rpc", {}).update(auth_strategy="noauth",
                                                host_ip="127.0.0.1")
        conductor = extra.setdefault("conductor", {})
        conductor.update(heartbeat_interval=str(self.cfg.heartbeat_interval),
                         heartbeat_timeout=str(self.cfg.heartbeat_timeout))
        if rpc_port is not None:
            default["host"] = "127.0.0.1"  # Ironic registers it as 127.0.0.1:<rpc port>
            extra["json_rpc"]["port"] = str(rpc_port)
        path = self.workdir / name / "ironic.conf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_config(dataclasses.replace(base, extra=extra)))
        return path

    def write_config(self) -> None:
        """Create the shared directories the configs name (TFTP, HTTP roots...)."""
        IronicService(self.cfg.ironic).make_dirs()

    def _spawn(self, name: str, program: str, config: Path,
               env: dict[str, str] | None = None) -> int:
        """Start ``program`` (a console script, or a path) with ``--config-file``."""
        stderr = open(config.parent / "ironic.stderr", "ab")  # noqa: SIM115
        argv = ([sys.executable, program] if program.endswith(".py")
                else [program_path(program)])
        try:
            proc = subprocess.Popen([*argv, "--config-file", str(config)],
                                    stdout=subprocess.DEVNULL, stderr=stderr,
                                    start_new_session=True,
                                    env=lab_seam.lab_environment() | (env or {}))
        finally:
            stderr.close()
        (config.parent / "ironic.pid").write_text(str(proc.pid))
        self.pids[name] = proc.pid
        LOG.info("%s started (pid %s)", name, proc.pid)
        return proc.pid

    def start(self, timeout: float = 120.0) -> None:
        """Database, schema, conductors, then the API; wait until all conductors are up.

        :raises ClusterStartError: naming what did not come up, with its log's end.
        """
        try:
            if self.database_url is None:
                if self.cfg.database_port is None:
                    raise ClusterStartError(timeout=0, reason="no database_url nor "
                                                              "database_port")
                self.postgres = PostgresServer(self.cfg.database_port).start()
                self.database_url = self.postgres.create_database("ironic")
            self.write_config()
            subprocess.run([program_path("ironic-dbsync"),
                            "--config-file", str(self._config("api", None)),
                            "create_schema"],
                           check=True, capture_output=True, timeout=300)
            self._spawn_all(timeout)
        except BaseException:
            self.stop()
            raise

    def _spawn_all(self, timeout: float) -> None:
        """Start the conductors, then the API, on the existing schema; wait for them."""
        for index, port in enumerate(self.cfg.rpc_ports):
            name = f"conductor-{index}"
            self._spawn(name, "ironic-conductor", self._config(name, port))
        api_conf = self._config("api", None)
        self._spawn("api", str(WSGI_RUNNER), api_conf, env={
            "UC_WSGI_APP": "ironic.wsgi:application",
            "UC_WSGI_HOST": self.cfg.ironic.host_ip,
            "UC_WSGI_PORT": str(self.cfg.ironic.port),
            "UC_WSGI_ARGS": f"--config-file {api_conf}",
            "UC_WSGI_WORKERS": str(self.cfg.api_workers)})
        self._wait_ready(timeout)

    @classmethod
    def from_record(cls, ironic: IronicConfig, record: dict) -> IronicCluster:
        """The running cluster a :meth:`record` describes, its processes' config
        being ``ironic`` (the lab's, from lab.json)."""
        cluster = cls(ClusterConfig(
            ironic=ironic, api_workers=record["api_workers"],
            rpc_ports=tuple(int(host.rsplit(":", 1)[1]) for host in record["conductors"]),
            database_url=record["database_url"]))
        cluster.pids = {name: int(pid) for name, pid in record["pids"].items()}
        postgres = record.get("postgres")
        if postgres:
            cluster.postgres = PostgresServer(postgres["port"], Path(postgres["root"]))
        return cluster

    def restart(self, ironic: IronicConfig, timeout: float = 120.0) -> None:
        """Stop the API and the conductors and start them again with ``ironic`` (e.g.
        behind Keystone); the database and its PostgreSQL server are kept, hence the
        nodes.

        :raises ClusterStartError: naming what did not come up (everything is
            stopped then, PostgreSQL included, as a failed :meth:`start` leaves it).
        """
        self._stop_processes(timeout=10.0)
        self.cfg = dataclasses.replace(self.cfg, ironic=ironic)
        try:
            self._spawn_all(timeout)
        except BaseException:
            self.stop()
            raise

    def alive_conductors(self) -> set[str]:
        """Host names of the conductors Ironic's API lists as alive."""
        r = requests.get(f"{self.url}/v1/conductors",
                         headers=API_VERSION_HEADER | service_token(self.cfg.ironic.extra),
                         timeout=5)
        r.raise_for_status()
        return {c["hostname"] for c in r.json()["conductors"] if c["alive"]}

    def _wait_ready(self, timeout: float) -> None:
        def not_ready() -> str | None:
            for name, pid in self.pids.items():
                if not process.is_alive(pid):
                    raise ClusterStartError(timeout=timeout, reason=(
                        f"{name} exited: "
                        + process.log_tail(self.workdir / name,
                                           ("ironic.stderr", "ironic.log"))))
            try:
                alive = self.alive_conductors()
            except (requests.RequestException, ValueError, KeyError) as exc:
                return f"API: {exc}"
            if alive >= set(self.conductor_hosts):
                return None
            return f"conductors alive: {sorted(alive)}"

        reason = wait_until(not_ready, timeout, interval=0.5)
        if reason is not None:
            raise ClusterStartError(timeout=timeout, reason=reason)

    def record(self) -> dict:
        """What :func:`stop_recorded` needs to stop this cluster later (lab.json)."""
        return {"pids": dict(self.pids), "conductors": self.conductor_hosts,
                "api_workers": self.cfg.api_workers, "database_url": self.database_url,
                "postgres": ({"root": str(self.postgres.root), "port": self.postgres.port}
                             if self.postgres else None)}

    def kill_conductor(self, index: int) -> None:
        """SIGKILL conductor ``index`` (a crash: no deregistration)."""
        process.kill_group(self.pids.pop(f"conductor-{index}", None))

    def stop(self, timeout: float = 10.0) -> None:
        """Stop every process (API first), then the lab's PostgreSQL. Idempotent."""
        self._stop_processes(timeout)
        if self.postgres is not None:
            self.postgres.stop()
            self.postgres = None

    def _stop_processes(self, timeout: float) -> None:
        """Stop the API and the conductors, keeping the database."""
        _stop_pids(self.pids, self.workdir, timeout)
        self.pids.clear()


def _stop_pids(pids: dict[str, int], workdir: Path, timeout: float) -> None:
    """Stop a cluster's processes by name (the API first); only pids whose command
    line still names ``workdir`` (a reused pid is left alone)."""
    for name in sorted(pids, key=lambda n: n != "api"):
        if process.runs(pids[name], str(workdir)):
            process.stop_group(pids[name], timeout)
        (workdir / name / "ironic.pid").unlink(missing_ok=True)


def for_lab(ironic: IronicConfig, conductors: int = 2, api_workers: int = 2
            ) -> IronicCluster:
    """The production-shaped cluster for a lab whose all-in-one config is ``ironic``."""
    *rpc_ports, database_port = free_ports(conductors + 1)
    return IronicCluster(ClusterConfig(
        ironic=ironic, rpc_ports=tuple(rpc_ports), api_workers=api_workers,
        database_port=database_port))


def stop_recorded(record: dict | None, workdir: Path, timeout: float = 10.0) -> None:
    """Stop a cluster from its :meth:`IronicCluster.record` (``lab down``). Idempotent.

    A pid is signalled only while its command line still names ``workdir``.
    """
    if not record:
        return
    _stop_pids(record.get("pids", {}), workdir, timeout)
    postgres = record.get("postgres")
    if postgres and Path(postgres["root"]).exists():
        PostgresServer(postgres["port"], Path(postgres["root"])).stop()
