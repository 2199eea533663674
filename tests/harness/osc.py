"""The real ``openstack`` command (this venv's, with this project's plugin) for tests.

``openstack(clouds, *argv)`` runs it to the end; ``start``/``finish`` run it in the
background. Its environment is ``osc_env(clouds)``: no ``OS_*`` variables of the
caller, ``OS_CLOUD=lab`` in the given clouds.yaml.
"""

import os
import subprocess
import sys
from pathlib import Path

OPENSTACK = str(Path(sys.executable).parent / "openstack")


def osc_env(clouds: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update(OS_CLIENT_CONFIG_FILE=str(clouds), OS_CLOUD="lab", PYTHONWARNINGS="ignore")
    return env


def openstack(clouds: Path, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real ``openstack`` command; returns the finished process."""
    return subprocess.run([OPENSTACK, *argv], capture_output=True, text=True,
                          timeout=timeout, env=osc_env(clouds), check=False)


def start(clouds: Path, *argv: str) -> subprocess.Popen:
    return subprocess.Popen([OPENSTACK, *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=osc_env(clouds))


def finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[str, str]:
    try:
        return proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
