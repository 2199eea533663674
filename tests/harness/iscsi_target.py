"""A real tgtd exporting a sparse file through the ramdisk's own deploy commands.

Used by the ramdisk deploy tests and the conductor-side writer tests. Ports, IQNs,
CHAP credentials and tgtd control ports are fresh for every test.
"""

from __future__ import annotations

import dataclasses
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest

from ramdisk.deploy.agent import file_disks
from ramdisk.deploy.commands import DeployCommands
from tests.harness.ports import free_port

MiB = 1024 * 1024


@dataclasses.dataclass
class Lun:
    """One exported sparse file: ``iscsi-ls``/``qemu-img`` reach it with these."""

    backing: Path
    commands: DeployCommands
    answer: dict
    iqn: str
    username: str
    password: str
    host: str
    port: int

    def url(self, username: str | None = None, password: str | None = None) -> str:
        user = username if username is not None else self.username
        secret = password if password is not None else self.password
        auth = f"{user}%{secret}@" if user else ""
        return f"iscsi://{auth}{self.host}:{self.port}/"


def fresh_credentials() -> tuple[str, str, str]:
    suffix = secrets.token_hex(4)
    return (f"iqn.2024-01.org.ironic-tripleo:test-{suffix}", f"user-{suffix}",
            secrets.token_hex(8))


def require_tgt() -> None:
    for tool in ("tgtd", "tgtadm", "iscsi-ls", "qemu-img"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed (scripts/install-system-packages.sh)")


def iscsi_ls(url: str) -> subprocess.CompletedProcess:
    return subprocess.run(["iscsi-ls", "-s", url], capture_output=True, text=True,
                          timeout=30, check=False)


@pytest.fixture
def lun_factory(tmp_path):
    """Export sparse files of ``size`` bytes on 127.0.0.1; every tgtd stopped at teardown."""
    require_tgt()
    made: list[DeployCommands] = []

    def make(size: int = 64 * MiB) -> Lun:
        backing = tmp_path / f"disk-{secrets.token_hex(3)}.img"
        with open(backing, "wb") as f:
            f.truncate(size)
        commands = DeployCommands("127.0.0.1", lambda: file_disks([str(backing)]), min_size=0)
        made.append(commands)
        iqn, user, password = fresh_credentials()
        port = free_port()
        answer = commands.start_iscsi_target({"iqn": iqn, "username": user,
                                              "password": password, "portal_port": port})
        return Lun(backing, commands, answer, iqn, user, password, "127.0.0.1", port)

    yield make
    for commands in made:
        commands.close()
