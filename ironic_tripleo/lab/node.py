"""A virtual node's directory: its description, disk, boot device and firmware pid.

Layout of ``NODE_DIR``::

    node.json      name, mac, namespace, cpus, memory_mb, disk_gb, arch, disk
    boot.json      {"persistent_device": "disk", "next_device": null | "pxe" | ...}
    disk.img       sparse file of disk_gb GiB
    firmware.pid   pid of the running firmware (power on)
    console.log    what the firmware prints
    node.lock      taken (flock) around every read-modify-write

The boot device model is a BMC's: a persistent device, and optionally a one-time
device that wins for the next boot only and is then forgotten, so the node goes
back to its persistent device (``disk`` unless set otherwise).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from ironic_tripleo.lab.exception import NodeSpecError

DEFAULT_BOOT_DEVICE = "disk"
BOOT_DEVICES = ("pxe", "disk", "cdrom", "bios")
ARCHES = ("x86_64", "aarch64", "ppc64le", "i686")

_THREAD_LOCKS: dict[str, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


@dataclasses.dataclass
class NodeSpec:
    """The hardware of one virtual node (what introspection should find)."""

    cpus: int = 2
    memory_mb: int = 4096
    disk_gb: int = 10
    arch: str = "x86_64"
    name: str | None = None
    disk_rotational: bool = False

    def validate(self, node: str) -> None:
        """:raises NodeSpecError: naming ``node`` and the bad field."""
        for field, low in (("cpus", 1), ("memory_mb", 64), ("disk_gb", 1)):
            value = getattr(self, field)
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise NodeSpecError(node=node, field=field, value=value,
                                    allowed=f"an integer >= {low}")
        if not isinstance(self.disk_rotational, bool):
            raise NodeSpecError(node=node, field="disk_rotational",
                                value=self.disk_rotational, allowed="true or false")
        if self.arch not in ARCHES:
            raise NodeSpecError(node=node, field="arch", value=self.arch,
                                allowed=f"one of {', '.join(ARCHES)}")

    @classmethod
    def parse(cls, text: str) -> NodeSpec:
        """Parse ``cpus=4,memory_mb=8192,disk_gb=40,arch=x86_64[,name=x,disk_rotational=1]``."""
        values: dict[str, object] = {}
        fields = {f.name: f.type for f in dataclasses.fields(cls)}
        for item in filter(None, (part.strip() for part in text.split(","))):
            key, sep, value = item.partition("=")
            if not sep or key not in fields:
                raise NodeSpecError(node=text, field="item", value=item,
                                    allowed=f"KEY=VALUE with KEY in {', '.join(fields)}")
            if key in ("arch", "name"):
                values[key] = value
            elif key == "disk_rotational":
                values[key] = value.lower() in ("1", "true", "yes")
            else:
                try:
                    values[key] = int(value)
                except ValueError:
                    raise NodeSpecError(node=text, field=key, value=value,
                                        allowed="an integer") from None
        return cls(**values)  # type: ignore[arg-type]


class NodeDir:
    """One node's directory; all methods are safe across threads and processes."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path).resolve()
        self.info_file = self.path / "node.json"
        self.boot_file = self.path / "boot.json"
        self.pid_file = self.path / "firmware.pid"
        self.console_log = self.path / "console.log"
        self.disk = self.path / "disk.img"
        self.lock_file = self.path / "node.lock"

    @classmethod
    def create(cls, path: Path, spec: NodeSpec, name: str, mac: str,
               namespace: str | None, extra: dict | None = None) -> NodeDir:
        """Create the directory, its description, boot state and sparse disk.

        :param namespace: the node's namespace (None for a VM node).
        :param extra: more keys for ``node.json`` (a VM node's ``kind`` and ``vm``).
        """
        node = cls(path)
        node.path.mkdir(parents=True, exist_ok=True)
        info = dataclasses.asdict(spec) | {
            "name": name, "mac": mac, "namespace": namespace, "disk": str(node.disk),
        } | (extra or {})
        node.info_file.write_text(json.dumps(info, indent=2) + "\n")
        node.boot_file.write_text(json.dumps(
            {"persistent_device": DEFAULT_BOOT_DEVICE, "next_device": None}) + "\n")
        with open(node.disk, "ab") as disk:
            disk.truncate(spec.disk_gb * 1024**3)
        return node

    def info(self) -> dict:
        """Return node.json: name, mac, namespace, cpus, memory_mb, disk_gb, arch, disk."""
        return json.loads(self.info_file.read_text())

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold this node's lock: a thread lock, then an flock for other processes."""
        with _THREAD_LOCKS_GUARD:
            tlock = _THREAD_LOCKS.setdefault(str(self.path), threading.Lock())
        with tlock, open(self.lock_file, "a") as fd:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def _read_boot(self) -> dict:
        try:
            return json.loads(self.boot_file.read_text())
        except FileNotFoundError:
            return {"persistent_device": DEFAULT_BOOT_DEVICE, "next_device": None}

    def _write_boot(self, state: dict) -> None:
        tmp = self.boot_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state) + "\n")
        os.replace(tmp, self.boot_file)

    def get_boot_device(self) -> tuple[str, bool]:
        """Return (device, persistent) for the next boot. Call under ``locked()``."""
        state = self._read_boot()
        if state.get("next_device"):
            return state["next_device"], False
        return state["persistent_device"], True

    def set_boot_device(self, device: str, persistent: bool) -> None:
        """Set the next (or every) boot device. Call under ``locked()``."""
        if device not in BOOT_DEVICES:
            raise NodeSpecError(node=self.path.name, field="boot device", value=device,
                                allowed=f"one of {', '.join(BOOT_DEVICES)}")
        state = self._read_boot()
        if persistent:
            state = {"persistent_device": device, "next_device": None}
        else:
            state["next_device"] = device
        self._write_boot(state)

    def take_boot_device(self) -> str:
        """Return the device this boot uses and forget a one-time setting.

        Call under ``locked()``.
        """
        device, persistent = self.get_boot_device()
        if not persistent:
            state = self._read_boot()
            state["next_device"] = None
            self._write_boot(state)
        return device
