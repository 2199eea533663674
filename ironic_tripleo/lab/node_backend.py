"""``NodeBackend`` over a lab node directory: power is the firmware process.

Power on starts ``ironic_tripleo.lab.firmware`` inside the node's namespace (with a
pid file); the node is on while that process lives; power off kills its process
group; soft off sends SIGTERM and kills it after a grace period; reset kills and
starts it again. The boot device lives in the node directory (``node.NodeDir``).

Every call holds the node's lock (threads and processes), so concurrent IPMI
requests, ``lab status`` and ``lab down`` see consistent state.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from ironic_tripleo.lab import process
from ironic_tripleo.lab.node import NodeDir
from ironic_tripleo.vbmc.backend import BootDevice, NodeBackend, PowerState

LOG = logging.getLogger(__name__)

FIRMWARE_MODULE = "ironic_tripleo.lab.firmware"


class NodeDirBackend(NodeBackend):
    """What every lab node backend shares: the boot device kept in the node's
    directory (``self.node``, a :class:`NodeDir`), where the node's boot reads it."""

    node: NodeDir
    name: str

    def get_boot_device(self) -> tuple[BootDevice, bool]:
        with self.node.locked():
            device, persistent = self.node.get_boot_device()
        return BootDevice(device), persistent

    def set_boot_device(self, device: BootDevice, persistent: bool) -> None:
        with self.node.locked():
            self.node.set_boot_device(BootDevice(device).value, persistent)
        LOG.info("%s: boot device %s (%s)", self.name, BootDevice(device).value,
                 "persistent" if persistent else "next boot only")


class LabNodeBackend(NodeDirBackend):
    """One lab node behind a virtual BMC.

    :param node_dir: the node's directory (made by ``lab up``).
    :param python: interpreter that runs the firmware (default: this one).
    :param soft_off_timeout: seconds between SIGTERM and SIGKILL on soft off.
    """

    def __init__(self, node_dir: str | Path, python: str | None = None,
                 soft_off_timeout: float = 30.0, **_ignored: object) -> None:
        self.node = NodeDir(node_dir)
        info = self.node.info()
        self.name = info["name"]
        self.namespace = info["namespace"]
        self.python = python or sys.executable
        self.soft_off_timeout = soft_off_timeout
        self._children: dict[int, subprocess.Popen] = {}

    def __repr__(self) -> str:
        return f"LabNodeBackend({self.name}, {self.node.path})"

    # -- firmware process -------------------------------------------------

    def firmware_pid(self) -> int | None:
        """Return the pid of this node's running firmware, or None when it is off."""
        self._reap()
        pid = process.read_pid(self.node.pid_file)
        if pid is None or not process.is_alive(pid):
            return None
        if pid in self._children:
            return pid  # ours and not reaped, so it is what we started
        argv = process.cmdline(pid)
        for _ in range(50):
            if argv:
                break
            # Empty while `ip netns exec` execs python: wait, do not mistake it for off.
            time.sleep(0.01)
            argv = process.cmdline(pid)
        if FIRMWARE_MODULE not in argv or str(self.node.path) not in argv:
            return None  # the pid was reused by something else
        return pid

    def _reap(self) -> None:
        for pid, child in list(self._children.items()):
            if child.poll() is not None:
                del self._children[pid]

    def _start(self) -> int:
        device = self.node.take_boot_device()
        argv = ["ip", "netns", "exec", self.namespace, self.python, "-m", FIRMWARE_MODULE,
                "--node-dir", str(self.node.path), "--boot-device", device]
        with open(self.node.console_log, "ab") as console:
            child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=console,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self._children[child.pid] = child
        tmp = self.node.pid_file.with_suffix(".tmp")
        tmp.write_text(f"{child.pid}\n")
        os.replace(tmp, self.node.pid_file)
        LOG.info("%s: powered on, booting from %s (firmware pid %s)",
                 self.name, device, child.pid)
        return child.pid

    def _kill(self, pid: int) -> None:
        process.kill_group(pid)
        child = self._children.pop(pid, None)
        if child is not None:
            child.wait(timeout=5)
        self.node.pid_file.unlink(missing_ok=True)

    # -- NodeBackend --------------------------------------------------------

    def get_power_state(self) -> PowerState:
        with self.node.locked():
            return PowerState.ON if self.firmware_pid() else PowerState.OFF

    def power_on(self) -> None:
        with self.node.locked():
            if self.firmware_pid() is None:
                self._start()

    def power_off(self) -> None:
        with self.node.locked():
            pid = self.firmware_pid()
            if pid is not None:
                self._kill(pid)
                LOG.info("%s: powered off", self.name)

    def soft_off(self) -> None:
        """SIGTERM the firmware; SIGKILL it if it still runs after the grace period."""
        with self.node.locked():
            pid = self.firmware_pid()
            if pid is None:
                return
            try:
                os.killpg(pid, signal.SIGTERM)
            except ProcessLookupError:
                return
            LOG.info("%s: soft off requested (firmware pid %s)", self.name, pid)
        timer = threading.Timer(self.soft_off_timeout, self._force_off, args=(pid,))
        timer.daemon = True
        timer.start()

    def _force_off(self, pid: int) -> None:
        with self.node.locked():
            if self.firmware_pid() == pid:
                LOG.warning("%s: ignored soft off for %ss; powering off",
                            self.name, self.soft_off_timeout)
                self._kill(pid)

    def reset(self) -> None:
        """Power cycle; a node that is off is powered on."""
        with self.node.locked():
            pid = self.firmware_pid()
            if pid is not None:
                self._kill(pid)
            self._start()
