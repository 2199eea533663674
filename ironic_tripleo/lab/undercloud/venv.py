"""The undercloud's own venv (``.venv-undercloud``), built on first use with a lock.

Nova, Placement, Keystone, Glance, Neutron and Heat are not installed into ``.venv``
(their dependencies could move Ironic's). Like ``.venv-glance``, the venv sees
``.venv``'s packages through a ``.pth`` file and pip-installs only what the services
add. A file lock keeps concurrent builds apart; a stamp records what it was built
for; a stale or half-built venv is removed and rebuilt.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from ironic_tripleo.lab.exception import UndercloudError

ROOT = Path(__file__).resolve().parents[3]
VENV = Path(os.environ.get("UNDERCLOUD_VENV", ROOT / ".venv-undercloud"))
# Releases of the same OpenStack cycle as Ironic 39 that install together.
REQUIREMENTS = ("nova==34.0.0", "openstack-placement==16.0.0", "keystone==30.0.0",
                "openstack-heat==27.0.1", "neutron==29.0.0", "glance>=33,<34")
STAMP = ".stamp-undercloud"
#: The programs whose presence says the build finished.
PROGRAMS = ("nova-manage", "nova-conductor", "nova-scheduler", "nova-compute",
            "placement-manage", "keystone-manage", "glance-manage",
            "neutron-db-manage", "heat-engine", "heat-manage")


def _stamp_text() -> str:
    return "\n".join(REQUIREMENTS) + f"\n{sysconfig.get_paths()['purelib']}\n"


def ready(venv: Path = VENV) -> bool:
    """Whether ``venv`` is fully built for the current requirements."""
    stamp = venv / STAMP
    return (stamp.exists() and stamp.read_text() == _stamp_text()
            and all((venv / "bin" / p).exists() for p in PROGRAMS))


def ensure(venv: Path = VENV) -> Path:
    """Return ``venv``, building it first when it is missing or stale."""
    if ready(venv):
        return venv
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f"{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run may be building it
        if ready(venv):
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        try:
            _build(venv)
        except BaseException:
            shutil.rmtree(venv, ignore_errors=True)  # never leave a half-built venv
            raise
    return venv


def _build(venv: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True,
                   capture_output=True, timeout=300)
    python = venv / "bin" / "python"
    site = Path(subprocess.check_output(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        text=True, timeout=60).strip())
    (site / "_main_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = subprocess.run([str(python), "-m", "pip", "install", "-q", *REQUIREMENTS],
                         capture_output=True, text=True, timeout=1800)
    if pip.returncode != 0:
        tail = "\n".join((pip.stdout + pip.stderr).strip().splitlines()[-15:])
        raise UndercloudError(reason=f"cannot build {venv}: pip install failed "
                                     f"(exit {pip.returncode}):\n{tail}")
    missing = [p for p in PROGRAMS if not (venv / "bin" / p).exists()]
    if missing:
        raise UndercloudError(reason=f"{venv}: pip installed no {', '.join(missing)}")
    (venv / STAMP).write_text(_stamp_text())
