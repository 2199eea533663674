"""A real, unmodified Ironic run standalone: SQLite, noauth, API and conductor in one.

``extra`` may put it behind Keystone (``keystone_auth.ironic_sections``); the
readiness probe then sends a token of its ``[keystone_authtoken]`` user.

This is what the lab and the integration tests stand on. The configuration enables
our plugins through their entry points exactly as an operator's ``ironic.conf`` would.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import requests

from ironic_tripleo import lab_seam
from ironic_tripleo.lab import ironic_schema
from ironic_tripleo.lab.exception import IronicStartError
from ironic_tripleo.lab.keystone_auth import service_token
from ironic_tripleo.lab.process import log_tail, read_pid, stop_group
from ironic_tripleo.lab.readiness import wait_until

LOG = logging.getLogger(__name__)
LOG_FILES = ("ironic.stderr", "ironic.log")
DATABASE = "ironic.sqlite"  # under workdir, unless extra sets [database]connection

API_VERSION_HEADER = {"X-OpenStack-Ironic-API-Version": "latest"}


@dataclasses.dataclass
class IronicConfig:
    """What differs between one standalone Ironic and another.

    The interface lists are what ``enabled_*_interfaces`` get; the first entry of
    each is the default for nodes that do not name one.
    """

    workdir: Path
    port: int = 6385
    host_ip: str = "127.0.0.1"
    hardware_types: tuple[str, ...] = ("tripleo-ipmi", "fake-hardware")
    power_interfaces: tuple[str, ...] = ("pyghmi", "fake")
    management_interfaces: tuple[str, ...] = ("pyghmi", "fake")
    boot_interfaces: tuple[str, ...] = ("pxe", "ipxe", "fake")
    deploy_interfaces: tuple[str, ...] = ("fake", "iscsi")
    inspect_interfaces: tuple[str, ...] = ("no-inspect", "fake")
    vendor_interfaces: tuple[str, ...] = ("no-vendor", "fake")
    sync_power_state_interval: int = 60
    #: Glance API root (``http://host:port``) for Glance image references; no keystone:
    #: Ironic talks to it with ``auth_type = none``. None: no ``[glance]`` section.
    glance_url: str | None = None
    extra: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{self.host_ip}:{self.port}"


def render_config(cfg: IronicConfig) -> str:
    """Return the text of an ``ironic.conf`` for ``cfg`` (absolute paths under workdir)."""
    w = cfg.workdir.resolve()
    sections: dict[str, dict[str, str]] = {
        "DEFAULT": {
            "auth_strategy": "noauth",
            "rpc_transport": "none",
            "host": f"lab-conductor-{cfg.port}",
            "enabled_hardware_types": ",".join(cfg.hardware_types),
            "enabled_power_interfaces": ",".join(cfg.power_interfaces),
            "enabled_management_interfaces": ",".join(cfg.management_interfaces),
            "enabled_boot_interfaces": ",".join(cfg.boot_interfaces),
            "enabled_deploy_interfaces": ",".join(cfg.deploy_interfaces),
            "enabled_inspect_interfaces": ",".join(cfg.inspect_interfaces),
            "enabled_vendor_interfaces": ",".join(cfg.vendor_interfaces),
            # The default 'flat' network interface needs Neutron and breaks cleaning.
            "enabled_network_interfaces": "noop",
            "default_network_interface": "noop",
            "log_file": str(w / "ironic.log"),
            "use_stderr": "false",
        },
        "api": {"host_ip": cfg.host_ip, "port": str(cfg.port), "api_workers": "1"},
        "database": {"connection": f"sqlite:///{w / DATABASE}"},
        "dhcp": {"dhcp_provider": "none"},
        "conductor": {
            "automated_clean": "false",
            "sync_power_state_interval": str(cfg.sync_power_state_interval),
        },
        # Ironic hard-links cached images into tftp_root: keep its caches beside it.
        "pxe": {"tftp_root": str(w / "tftpboot"),
                "tftp_master_path": str(w / "tftpboot" / "master_images"),
                "instance_master_path": str(w / "master_images"),
                "images_path": str(w / "images")},
        "deploy": {"http_root": str(w / "httpboot"), "http_url": f"http://{cfg.host_ip}:8080",
                   # pxelinux configs (BIOS), which the lab's PXE ROM reads
                   "default_boot_mode": "bios"},
        "oslo_concurrency": {"lock_path": str(w / "locks")},
        "agent": {"require_tls": "false"},
    }
    if cfg.glance_url:
        sections["glance"] = {"auth_type": "none", "endpoint_override": cfg.glance_url}
    for section, values in cfg.extra.items():
        sections.setdefault(section, {}).update(values)
    lines = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {value}" for key, value in values.items())
        lines.append("")
    return "\n".join(lines)


def program_path(name: str, url: str = "-") -> str:
    """Path of Ironic's program ``name`` (beside this Python, else on PATH).

    :raises IronicStartError: when it is not installed.
    """
    path = Path(sys.executable).parent / name
    found = str(path) if path.exists() else shutil.which(name)
    if not found:
        raise IronicStartError(url=url, timeout=0, reason=f"{name} is not installed")
    return found


class IronicService:
    """Start and stop one standalone Ironic process (group) in ``cfg.workdir``."""

    def __init__(self, cfg: IronicConfig) -> None:
        self.cfg = cfg
        self.workdir = cfg.workdir.resolve()
        self.config_file = self.workdir / "ironic.conf"
        self.pid_file = self.workdir / "ironic.pid"
        self._proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return self.cfg.url

    def _bin(self, name: str) -> str:
        return program_path(name, self.url)

    @property
    def pid(self) -> int | None:
        """PID of the running Ironic (its master process), or None."""
        return self._proc.pid if self._proc else read_pid(self.pid_file)

    def make_dirs(self) -> None:
        """Create the directories ironic.conf names (TFTP, HTTP roots, caches, locks)."""
        for sub in ("tftpboot", "tftpboot/master_images", "master_images", "images",
                    "httpboot", "locks"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)

    def write_config(self) -> None:
        """Write ironic.conf and create the directories it names."""
        self.make_dirs()
        self.config_file.write_text(render_config(self.cfg))

    def start(self, timeout: float = 60.0, create_schema: bool = True) -> None:
        """Create the schema, start Ironic and wait until its API answers.

        :param create_schema: False to start again on the existing database (a
            restart with another configuration).
        :raises IronicStartError: when it exits or does not answer in ``timeout``;
            the message carries the end of its log.
        """
        self.write_config()
        if create_schema:
            self._create_schema()
        stderr = open(self.workdir / "ironic.stderr", "ab")  # noqa: SIM115
        try:
            self._proc = subprocess.Popen(
                [self._bin("ironic"), "--config-file", str(self.config_file)],
                stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True,
                env=lab_seam.lab_environment(),
            )
        finally:
            stderr.close()
        self.pid_file.write_text(str(self._proc.pid))
        LOG.info("Ironic starting at %s (pid %s)", self.url, self._proc.pid)
        try:
            self._wait_ready(timeout)
        except IronicStartError:
            self.stop()
            raise

    def _create_schema(self) -> None:
        """Create the schema: a copy of the installation's template for our SQLite file."""
        dbsync = self._bin("ironic-dbsync")
        if "connection" not in self.cfg.extra.get("database", {}):
            ironic_schema.create_schema(Path(dbsync), self.workdir / DATABASE)
            return
        subprocess.run([dbsync, "--config-file", str(self.config_file), "create_schema"],
                       check=True, capture_output=True, timeout=120)

    def _wait_ready(self, timeout: float) -> None:
        token = service_token(self.cfg.extra)

        def ready() -> str | None:
            if self._proc is not None and self._proc.poll() is not None:
                logs = log_tail(self.workdir, LOG_FILES)
                raise IronicStartError(url=self.url, timeout=timeout,
                                       reason=f"exited with {self._proc.returncode}; {logs}")
            crash = self._worker_crash()
            if crash:
                raise IronicStartError(url=self.url, timeout=timeout,
                                       reason=f"its worker keeps failing at start: {crash}")
            try:
                r = requests.get(f"{self.url}/v1/drivers",
                                 headers=API_VERSION_HEADER | token, timeout=2)
            except requests.RequestException as exc:
                return str(exc)
            if r.status_code == 200 and r.json().get("drivers"):
                return None
            return f"GET /v1/drivers answered {r.status_code}"

        reason = wait_until(ready, timeout, 0.2)
        if reason is not None:
            raise IronicStartError(url=self.url, timeout=timeout, reason=reason)

    def _worker_crash(self) -> str | None:
        """Return the exception of a crash-looping worker, seen twice on stderr.

        A worker that fails at start makes Ironic's master restart it forever with
        the port never opening; the traceback goes to stderr only.
        """
        path = self.workdir / "ironic.stderr"
        try:
            lines = path.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return None
        starts = [i for i, line in enumerate(lines) if line.startswith("Traceback")]
        if len(starts) < 2:
            return None
        tail = [line for line in lines[starts[-1] + 1:] if line and not line[0].isspace()]
        return tail[0] if tail else None

    def stop(self, timeout: float = 10.0) -> None:
        """Stop Ironic's whole process group: SIGTERM, then SIGKILL. Idempotent."""
        pid = self.pid
        if pid is not None:
            stop_group(pid, timeout)
        if self._proc is not None:
            self._proc.wait(timeout=timeout)
            self._proc = None
        self.pid_file.unlink(missing_ok=True)
