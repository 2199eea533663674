"""The lab's virtual BMC: one ``ironic-tripleo bmc serve`` process for all nodes.

Writes its config file (one entry per node: port, credentials, the ``lab`` backend,
or ``vm`` for a VM node, with the node directory), starts it with a pid file and
waits until every node's BMC answers ``ipmitool power status``.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import yaml

from ironic_tripleo import lab_seam
from ironic_tripleo.lab import process
from ironic_tripleo.lab.exception import BmcStartError
from ironic_tripleo.lab.readiness import wait_until

LOG = logging.getLogger(__name__)


def render_config(nodes: list[dict]) -> dict:
    """Return the vbmc config document for lab.json's ``nodes``."""
    return {"nodes": [{
        "name": node["name"],
        "address": node["bmc"]["address"],
        "port": node["bmc"]["port"],
        "username": node["bmc"]["username"],
        "password": node["bmc"]["password"],
        "backend": "vm" if node.get("kind") == "vm" else "lab",
        "backend_args": {"node_dir": node["node_dir"]},
    } for node in nodes]}


def write_config(path: Path, nodes: list[dict]) -> None:
    """Write the vbmc config (mode 0600: it holds passwords)."""
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(yaml.safe_dump(render_config(nodes), sort_keys=False))


def start(config: Path, pid_file: Path, log_file: Path) -> int:
    """Start ``ironic-tripleo bmc serve`` in its own session; return its pid."""
    argv = [sys.executable, "-m", "ironic_tripleo.cli.main", "bmc", "serve",
            "--config", str(config), "--pid-file", str(pid_file)]
    with open(log_file, "ab") as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                env=lab_seam.lab_environment())
    # Our own record too, in case the server dies before writing its pid file.
    pid_file.write_text(f"{proc.pid}\n")
    LOG.info("virtual BMC starting (pid %s, config %s)", proc.pid, config)
    return proc.pid


def ipmitool(bmc: dict, *command: str, timeout: float = 10) -> subprocess.CompletedProcess:
    """Run ``ipmitool -I lanplus -C 17`` against one node's BMC entry of lab.json."""
    argv = ["ipmitool", "-I", "lanplus", "-C", "17", "-N", "1", "-R", "1",
            "-H", bmc["address"], "-p", str(bmc["port"]),
            "-U", bmc["username"], "-P", bmc["password"], *command]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


def wait_ready(pid: int, nodes: list[dict], log_file: Path, timeout: float = 30) -> None:
    """Wait until every node's BMC answers.

    :raises BmcStartError: naming the first node that does not, with the log's end.
    """
    waiting = list(nodes)

    def answering() -> str | None:
        """``None`` once every node's BMC has answered; else why the next has not."""
        while waiting:
            node = waiting[0]
            if not process.is_alive(pid):
                tail = log_file.read_text(errors="replace").splitlines()[-15:]
                raise BmcStartError(node=node["name"], address=node["bmc"]["address"],
                                    port=node["bmc"]["port"],
                                    reason="the server exited:\n" + "\n".join(tail))
            try:
                result = ipmitool(node["bmc"], "power", "status", timeout=5)
            except subprocess.TimeoutExpired:
                return "ipmitool timed out"
            if result.returncode != 0:
                return result.stderr.strip() or result.stdout.strip() or "no answer"
            waiting.pop(0)
        return None

    reason = wait_until(answering, timeout, 0.2)
    if reason is not None:
        node = waiting[0]
        raise BmcStartError(node=node["name"], address=node["bmc"]["address"],
                            port=node["bmc"]["port"], reason=reason)
