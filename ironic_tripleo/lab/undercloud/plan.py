"""What one undercloud is made of before anything runs: directories, free ports,
passwords, URLs and database URLs. Saved as ``state.json`` so that ``status`` and
``down`` find everything again from another process.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
from pathlib import Path
from typing import Any

from ironic_tripleo.lab.ports import free_ports

#: The API services and the Keystone catalog type of each.
API_SERVICES = {"keystone": "identity", "placement": "placement", "glance": "image",
                "neutron": "network", "nova": "compute", "heat": "orchestration"}
#: Ports besides the APIs: RabbitMQ's AMQP listener, its Erlang distribution port,
#: its own epmd, and PostgreSQL's (used only with ``--database postgresql``).
OTHER_PORTS = ("amqp", "rabbit_dist", "epmd", "postgres")
REGION = "RegionOne"
#: seconds a SQLite transaction waits for another's write lock (pysqlite's default
#: is 5; with ``BEGIN IMMEDIATE`` every transaction queues for it, see
#: ``sqlite_immediate``)
SQLITE_BUSY_TIMEOUT = 60
SERVICE_PROJECT = "service"


@dataclasses.dataclass
class Plan:
    """Everything a service module needs to write its configuration."""

    root: Path
    venv: Path
    ports: dict[str, int]
    passwords: dict[str, str]
    #: the lab under it: ``ironic_url`` and ``discoverd_url`` (None: no Ironic).
    lab: dict[str, str] | None = None
    #: ``sqlite`` or a PostgreSQL server's URL prefix ``postgresql+psycopg://u@h:p``.
    database: str = "sqlite"
    #: the undercloud's own PostgreSQL server (``databases.py``): ``root`` and ``port``
    postgres: dict[str, Any] | None = None
    #: the processes started, by name: ``{"pid": int, "marker": str}``.
    processes: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    state: str = "planned"
    #: debug logging in the services' logs
    debug: bool = False

    @classmethod
    def new(cls, root: Path, venv: Path, lab: dict[str, str] | None = None,
            ports: dict[str, int] | None = None) -> Plan:
        """A fresh plan with free ports (``ports`` fixes some of them)."""
        fixed = dict(ports or {})
        names = [name for name in (*API_SERVICES, *OTHER_PORTS) if name not in fixed]
        chosen = dict(zip(names, free_ports(len(names), avoid=fixed.values()), strict=True))
        chosen.update(fixed)
        passwords = {name: secrets.token_hex(12)
                     for name in ("admin", *API_SERVICES, "ironic", "discoverd")}
        return cls(root=root.resolve(), venv=venv, ports=chosen, passwords=passwords,
                   lab=lab)

    # -- where things go --------------------------------------------------------

    def etc(self, service: str) -> Path:
        path = self.root / "etc" / service
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def logdir(self) -> Path:
        return self.root / "logs"

    @property
    def datadir(self) -> Path:
        path = self.root / "data"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def bin(self, program: str) -> str:
        return str(self.venv / "bin" / program)

    def db_url(self, name: str) -> str:
        """The SQLAlchemy URL of database ``name``."""
        if self.database == "sqlite":
            return f"sqlite:///{self.datadir / name}.sqlite?timeout={SQLITE_BUSY_TIMEOUT}"
        return f"{self.database}/{name}"

    def process_env(self) -> dict[str, str]:
        """What every service process gets in its environment (``program_runner``):
        ``BEGIN IMMEDIATE`` transactions on SQLite; on PostgreSQL ``inet`` as text and
        psycopg2's ``cursor.lastrowid`` for Placement (each touches only its own
        database kind)."""
        return {"UC_SQLITE_IMMEDIATE": "1", "UC_PSYCOPG_INET_TEXT": "1",
                "UC_PSYCOPG_LASTROWID": "1"}

    # -- URLs -------------------------------------------------------------------

    def url(self, service: str) -> str:
        """The root URL of an API service."""
        return f"http://127.0.0.1:{self.ports[service]}"

    @property
    def auth_url(self) -> str:
        return f"{self.url('keystone')}/v3"

    @property
    def transport_url(self) -> str:
        return f"rabbit://guest:guest@127.0.0.1:{self.ports['amqp']}/"

    def endpoints(self) -> dict[str, tuple[str, str]]:
        """Catalog type and endpoint URL of each service, Ironic's included."""
        result = {"keystone": ("identity", self.auth_url),
                  "placement": ("placement", self.url("placement")),
                  "glance": ("image", self.url("glance")),
                  "neutron": ("network", self.url("neutron")),
                  "nova": ("compute", f"{self.url('nova')}/v2.1"),
                  "heat": ("orchestration",
                           f"{self.url('heat')}/v1/%(project_id)s")}
        if self.lab:
            result["ironic"] = ("baremetal", self.lab["ironic_url"])
            if self.lab.get("discoverd_url"):
                result["discoverd"] = ("baremetal-introspection", self.lab["discoverd_url"])
        return result

    def authtoken(self, user: str) -> str:
        """A ``[keystone_authtoken]`` section for service user ``user``."""
        return f"""[keystone_authtoken]
www_authenticate_uri = {self.auth_url}
auth_url = {self.auth_url}
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = {SERVICE_PROJECT}
username = {user}
password = {self.passwords[user]}
region_name = {REGION}
"""

    def service_auth(self, section: str, user: str) -> str:
        """A keystoneauth section (``[placement]``, ``[neutron]``...) as ``user``."""
        return f"""[{section}]
auth_url = {self.auth_url}
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = {SERVICE_PROJECT}
username = {user}
password = {self.passwords[user]}
region_name = {REGION}
valid_interfaces = public
"""

    # -- persistence ------------------------------------------------------------

    @property
    def state_file(self) -> Path:
        return self.root / "state.json"

    def save(self) -> None:
        doc = dataclasses.asdict(self)
        doc["root"], doc["venv"] = str(self.root), str(self.venv)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, indent=2))
        tmp.replace(self.state_file)

    @classmethod
    def load(cls, root: Path) -> Plan | None:
        path = root.resolve() / "state.json"
        if not path.exists():
            return None
        doc = json.loads(path.read_text())
        doc["root"], doc["venv"] = Path(doc["root"]), Path(doc["venv"])
        return cls(**doc)
