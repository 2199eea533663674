"""The deploy agent's commands, free of HTTP: export the root disk, stop, power off.

``DeployCommands`` holds the one tgtd of this machine and at most one export; one
command runs at a time. ``command_api`` puts these behind the agent token.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Mapping, Sequence

from ramdisk import command
from ramdisk.deploy import iscsi_target, root_device
from ramdisk.deploy.exception import InvalidCommand, TargetBusy
from ramdisk.exception import CommandFailed

LOG = logging.getLogger(__name__)

IQN_RE = re.compile(r"iqn\.\d{4}-\d{2}\.[a-z0-9][a-z0-9.-]*(:[A-Za-z0-9.:_-]+)?")
CHAP_RE = re.compile(r"[A-Za-z0-9._:+-]+")
INITIATOR_RE = re.compile(r"[A-Za-z0-9.:/_-]+")
CHAP_MIN, CHAP_MAX = 12, 128
DiskSource = Callable[[], Sequence[Mapping]]


def device_size(path: str) -> int:
    """Return the size in bytes of a block device or a file (seek to its end)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.lseek(fd, 0, os.SEEK_END)
    finally:
        os.close(fd)


def _check(command: str, name: str, value: object, ok: bool, allowed: str) -> None:
    if not ok:
        raise InvalidCommand(command=command, name=name,
                             value="***" if name == "password" else value, allowed=allowed)


def validate_start(params: Mapping[str, object]) -> None:
    """Check the parameters of ``start_iscsi_target``.

    :raises InvalidCommand: naming the parameter and what is allowed.
    """
    cmd = "start_iscsi_target"
    iqn = params.get("iqn")
    _check(cmd, "iqn", iqn, isinstance(iqn, str) and bool(IQN_RE.fullmatch(iqn)),
           "iqn.YYYY-MM.reversed.domain[:name]")
    for name in ("username", "password"):
        value = params.get(name)
        _check(cmd, name, value,
               isinstance(value, str) and CHAP_MIN <= len(value) <= CHAP_MAX
               and bool(CHAP_RE.fullmatch(value)),
               f"{CHAP_MIN}-{CHAP_MAX} characters of A-Z a-z 0-9 . _ : + -")
    port = params.get("portal_port", 3260)
    _check(cmd, "portal_port", port,
           isinstance(port, int) and not isinstance(port, bool) and 1 <= port <= 65535,
           "an int from 1 to 65535")
    hints = params.get("root_device_hints")
    _check(cmd, "root_device_hints", hints, hints is None or isinstance(hints, dict),
           "an object of root device hints")
    initiator = params.get("initiator", "ALL")
    _check(cmd, "initiator", initiator,
           isinstance(initiator, str) and bool(INITIATOR_RE.fullmatch(initiator)),
           "ALL or an initiator address")


class DeployCommands:
    """The commands of one deploy agent.

    :param portal_host: the address tgtd listens on (reachable by the conductor).
    :param disks: returns the inventory disk records to choose the root disk from.
    :param default_hints: root device hints used when a command gives none (the
        node's ``properties.root_device`` from the lookup).
    :param power_off_argv: what ``power_off`` runs, shortly after answering.
    :param control_port: tgtd control port (a free one when None).
    :param min_size: smallest disk chosen without hints (0 for explicit ``--disk``).
    """

    def __init__(self, portal_host: str, disks: DiskSource,
                 default_hints: Mapping[str, object] | None = None,
                 power_off_argv: Sequence[str] = ("poweroff", "-f"),
                 control_port: int | None = None,
                 min_size: int = root_device.MIN_ROOT_SIZE) -> None:
        self.portal_host = portal_host
        self.disks = disks
        self.default_hints = dict(default_hints or {})
        self.power_off_argv = list(power_off_argv)
        self.control_port = control_port
        self.min_size = min_size
        self.daemon: iscsi_target.TargetDaemon | None = None
        self.current: dict[str, object] | None = None
        self.powering_off = False
        self._lock = threading.Lock()

    def start_iscsi_target(self, params: Mapping[str, object]) -> dict[str, object]:
        """Export the root disk as ``params['iqn']`` with CHAP; idempotent for one IQN.

        :param params: ``iqn``, ``username``, ``password``, optional ``portal_port``
            (3260), ``root_device_hints``, ``initiator`` (``ALL``).
        :returns: ``{device, size_bytes, iqn, portal, lun}``.
        :raises InvalidCommand, TargetBusy, NoRootDevice, TargetError, TargetDaemonError:
        """
        validate_start(params)
        with self._lock:
            if self.current is not None:
                if self.current["iqn"] == params["iqn"]:
                    return dict(self.current)
                raise TargetBusy(current=self.current["iqn"], requested=params["iqn"])
            hints = params.get("root_device_hints") or self.default_hints
            disk = root_device.select(self.disks(), hints, self.min_size)
            device = str(disk["name"])
            port = int(params.get("portal_port", 3260))  # type: ignore[arg-type]
            if self.daemon is not None and self.daemon.portal_port != port:
                self.daemon.stop()
                self.daemon = None
            if self.daemon is None:
                daemon = iscsi_target.TargetDaemon(self.portal_host, port, self.control_port)
                daemon.start()
                self.daemon = daemon
            export = iscsi_target.Export(
                iqn=str(params["iqn"]), backing=device, username=str(params["username"]),
                password=str(params["password"]),
                initiator=str(params.get("initiator", "ALL")))
            self.daemon.export(export)
            self.current = {"device": device, "size_bytes": device_size(device),
                            "iqn": export.iqn, "portal": self.daemon.portal,
                            "lun": iscsi_target.LUN}
            return dict(self.current)

    def stop_iscsi_target(self, params: Mapping[str, object] | None = None) -> dict[str, object]:
        """Remove the export (dropping sessions) and stop tgtd; fine when none exists."""
        with self._lock:
            stopped = self.current["iqn"] if self.current else None
            if self.daemon is not None:
                self.daemon.stop()
                self.daemon = None
            self.current = None
            return {"stopped": stopped}

    def power_off(self, params: Mapping[str, object] | None = None,
                  delay: float = 1.0) -> dict[str, object]:
        """Stop the target, then run ``power_off_argv`` after ``delay`` seconds."""
        self.stop_iscsi_target()
        self.powering_off = True
        timer = threading.Timer(delay, self._run_power_off)
        timer.daemon = True
        timer.start()
        return {"power_off": "scheduled"}

    def _run_power_off(self) -> None:
        LOG.info("powering off: %s", " ".join(self.power_off_argv))
        try:
            command.check(command.run(self.power_off_argv, timeout=60))
        except CommandFailed as exc:
            LOG.error("power off failed: %s", exc)

    def status(self, params: Mapping[str, object] | None = None) -> dict[str, object]:
        return {"target": dict(self.current) if self.current else None,
                "powering_off": self.powering_off}

    def close(self) -> None:
        """Stop tgtd if it runs (agent shutdown)."""
        self.stop_iscsi_target()
