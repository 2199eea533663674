"""Venvs beside ``.venv`` for OpenStack services the lab runs but must not install
into ``.venv`` (their dependencies could move Ironic's): built on first use.

A side venv sees ``.venv``'s packages through a ``.pth`` file and pip-installs only
what its requirements add. A file lock keeps concurrent builds (two test sessions,
a test and a bench) apart; a stamp records what it was built for, so a stale or
half-built venv is removed and built again. The undercloud (``.venv-undercloud``)
and the tests' Glance (``.venv-glance``) use it.
"""

from __future__ import annotations

import dataclasses
import fcntl
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Sequence
from pathlib import Path

from ironic_tripleo.lab.exception import SideVenvError

# What pip prints when it cannot reach an index at all (DNS, refused, timeout, proxy).
UNREACHABLE = ("NewConnectionError", "Failed to establish a new connection",
               "Temporary failure in name resolution", "Name or service not known",
               "Network is unreachable", "ConnectTimeoutError", "ProxyError",
               "Max retries exceeded", "No route to host")


@dataclasses.dataclass(frozen=True)
class SideVenv:
    """A venv at ``path`` holding ``requirements``; ``programs`` prove the install.

    :param pip_timeout: seconds the pip install may take.
    """

    path: Path
    requirements: Sequence[str]
    programs: Sequence[str]
    stamp_name: str
    pip_timeout: float = 1800

    def _stamp_text(self) -> str:
        return "\n".join(self.requirements) + f"\n{sysconfig.get_paths()['purelib']}\n"

    def ready(self) -> bool:
        """Whether the venv is fully built for the current requirements."""
        stamp = self.path / self.stamp_name
        return (stamp.exists() and stamp.read_text() == self._stamp_text()
                and all((self.path / "bin" / p).exists() for p in self.programs))

    def ensure(self) -> Path:
        """Return the venv's path, building it first when it is missing or stale.

        :raises SideVenvError: naming pip's exit code and output tail, and whether
            the package index was unreachable (``index_unreachable``).
        """
        if self.ready():
            return self.path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.parent / f"{self.path.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another run may be building it
            if self.ready():
                return self.path
            shutil.rmtree(self.path, ignore_errors=True)
            try:
                self._build()
            except BaseException:
                shutil.rmtree(self.path, ignore_errors=True)  # never half-built
                raise
        return self.path

    def _build(self) -> None:
        subprocess.run([sys.executable, "-m", "venv", str(self.path)], check=True,
                       capture_output=True, timeout=300)
        python = self.path / "bin" / "python"
        site = Path(subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            text=True, timeout=60).strip())
        (site / "_main_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        pip = subprocess.run([str(python), "-m", "pip", "install", "-q",
                              *self.requirements],
                             capture_output=True, text=True, timeout=self.pip_timeout)
        if pip.returncode != 0:
            output = pip.stdout + pip.stderr
            tail = "\n".join(output.strip().splitlines()[-15:])
            raise SideVenvError(venv=self.path, requirements=" ".join(self.requirements),
                                code=pip.returncode, tail=tail,
                                index_unreachable=any(m in output for m in UNREACHABLE))
        missing = [p for p in self.programs if not (self.path / "bin" / p).exists()]
        if missing:
            raise SideVenvError(venv=self.path, requirements=" ".join(self.requirements),
                                code=0, tail=f"no {', '.join(missing)} installed",
                                index_unreachable=False)
        (self.path / self.stamp_name).write_text(self._stamp_text())
