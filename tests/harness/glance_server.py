"""A throwaway real Glance (PyPI ``glance``) for tests: SQLite, file store, no keystone.

Glance is not installed into ``.venv`` (its dependencies could move Ironic's). On
first use ``ensure_glance_venv`` creates ``.venv-glance`` beside it, a side venv
(``ironic_tripleo.lab.side_venv``: it sees ``.venv``'s packages and pip-installs only
what Glance adds, about 15 s here; locked, stamped, rebuilt when stale).
When pip cannot reach the package index, tests needing Glance are skipped (the reason
says so); any other failure to build it fails them.

``GlanceServer`` writes ``glance-api.conf`` (SQLite database, ``file`` store, staging
and locks all under its own directory; the paste pipeline's default flavour, i.e.
no authentication, and a policy that makes every request an admin), runs
``glance-manage db_sync`` and serves the API on 127.0.0.1 at a free port through
``glance_wsgi.py`` (Glance 33 has no standalone ``glance-api`` server any more); it is
always stopped by its process group, with a SIGKILL fallback.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest
import requests

from ironic_tripleo.lab.exception import SideVenvError
from ironic_tripleo.lab.process import log_tail, stop_group
from ironic_tripleo.lab.side_venv import SideVenv
from tests.harness.ports import free_port
from tests.harness.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
GLANCE_VENV = Path(os.environ.get("GLANCE_VENV", ROOT / ".venv-glance"))
# The release of the same OpenStack cycle as Ironic 39 (both September 2026).
GLANCE_REQ = "glance>=33,<34"
STAMP = ".stamp-glance"
WSGI = Path(__file__).with_name("glance_wsgi.py")


def ensure_glance_venv(venv: Path = GLANCE_VENV) -> Path:
    """Return ``venv`` with Glance installed on top of this interpreter's packages.

    Builds it on first use (or when its stamp is stale). Skips the calling test when
    pip cannot reach the package index; fails it on any other error.
    """
    try:
        return SideVenv(venv, (GLANCE_REQ,), ("glance-manage",), STAMP,
                        pip_timeout=1200).ensure()
    except SideVenvError as exc:
        python = venv / "bin" / "python"
        if exc.index_unreachable or (python.exists() and not _index_lists_glance(python)):
            pytest.skip(f"pip cannot reach the package index: {exc}")
        pytest.fail(str(exc))


def _index_lists_glance(python: Path) -> bool:
    """Whether pip, as configured here, can list Glance's releases at all (Glance is on
    PyPI: when pip sees none, it cannot reach the index)."""
    probe = subprocess.run([str(python), "-m", "pip", "index", "versions", "glance"],
                           capture_output=True, text=True, timeout=600)
    return probe.returncode == 0 and "Available versions" in probe.stdout


class GlanceServer:
    """One Glance API process in ``workdir``, on a free loopback port."""

    def __init__(self, workdir: Path, venv: Path) -> None:
        self.workdir = workdir.resolve()
        self.venv = venv
        self.port = free_port()
        self.config_file = self.workdir / "glance-api.conf"
        self._proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def write_config(self) -> None:
        w = self.workdir
        for sub in ("images", "staging", "tasks", "locks", "cache"):
            (w / sub).mkdir(parents=True, exist_ok=True)
        paste = self.venv / "etc" / "glance" / "glance-api-paste.ini"
        # [paste_deploy] flavor is left unset: the pipeline without keystone, whose
        # requests carry no roles and no project; the policy file makes each of them
        # an admin (creating a public image needs one), scopes are not checked.
        (w / "policy.yaml").write_text('"context_is_admin": ""\n')
        self.config_file.write_text(f"""[DEFAULT]
log_file = {w / 'glance-api.log'}
use_stderr = false
enabled_backends = local:file
image_cache_dir = {w / 'cache'}
[database]
connection = sqlite:///{w / 'glance.sqlite'}
[glance_store]
default_backend = local
[local]
filesystem_store_datadir = {w / 'images'}
[os_glance_staging_store]
filesystem_store_datadir = {w / 'staging'}
[os_glance_tasks_store]
filesystem_store_datadir = {w / 'tasks'}
[paste_deploy]
config_file = {paste}
[oslo_policy]
policy_file = {w / 'policy.yaml'}
enforce_scope = false
[oslo_concurrency]
lock_path = {w / 'locks'}
""")

    def start(self, timeout: float = 60.0) -> None:
        """Write the config, create the schema, start the API and wait until it answers."""
        self.write_config()
        subprocess.run([str(self.venv / "bin" / "glance-manage"), "--config-file",
                        str(self.config_file), "db_sync"],
                       check=True, capture_output=True, timeout=300)
        env = dict(os.environ, OS_GLANCE_CONFIG_DIR=str(self.workdir))
        with open(self.workdir / "glance-api.stderr", "ab") as stderr:
            self._proc = subprocess.Popen(
                [str(self.venv / "bin" / "python"), str(WSGI), str(self.port)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
                env=env, cwd=self.workdir, start_new_session=True)

        def ready() -> bool:
            if self._proc is not None and self._proc.poll() is not None:
                logs = log_tail(self.workdir, ("glance-api.stderr", "glance-api.log"))
                raise RuntimeError(f"Glance exited with {self._proc.returncode}:\n{logs}")
            try:
                return requests.get(f"{self.url}/v2/images", timeout=2).status_code == 200
            except requests.RequestException:
                return False
        try:
            wait_for(ready, timeout=timeout, interval=0.2, what=f"Glance at {self.url}")
        except BaseException:
            self.stop()
            raise

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server's process group (SIGTERM, then SIGKILL). Idempotent."""
        if self._proc is None:
            return
        stop_group(self._proc.pid, timeout)
        self._proc.wait(timeout=timeout)
        self._proc = None

    def create_image(self, data: bytes, name: str | None = None) -> dict:
        """Upload ``data`` as a public raw/bare image through the v2 API; return it.

        Glance computes ``checksum``, ``os_hash_algo`` and ``os_hash_value`` itself.
        """
        r = requests.post(f"{self.url}/v2/images", timeout=30, json={
            "name": name or f"test-{uuid.uuid4().hex[:8]}", "disk_format": "raw",
            "container_format": "bare", "visibility": "public"})
        assert r.status_code == 201, r.text
        image_id = r.json()["id"]
        r = requests.put(f"{self.url}/v2/images/{image_id}/file", data=data, timeout=60,
                         headers={"Content-Type": "application/octet-stream"})
        assert r.status_code == 204, r.text
        r = requests.get(f"{self.url}/v2/images/{image_id}", timeout=30)
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture(scope="module")
def glance(tmp_path_factory):
    """A real Glance API on a free loopback port, shared by a test module."""
    venv = ensure_glance_venv()
    server = GlanceServer(tmp_path_factory.mktemp("glance"), venv)
    try:
        server.start()
        yield server
    finally:
        server.stop()
