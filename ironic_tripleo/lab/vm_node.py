"""``NodeBackend`` over a VM lab node: power is a qemu process.

IPMI maps to the VM as a BMC maps to a server:

- power on starts qemu (``qemu_vm.qemu_argv``) booting from the device the BMC
  holds, taking a one-time device (``NodeDir.take_boot_device``); the node is on
  while that qemu lives, and a guest that powers itself off ends qemu, so the node
  reads off;
- the boot order qemu holds for later resets is always the persistent device's, as a
  server's firmware forgets a one-time device once used: after a one-time boot starts,
  the order is set back with QMP ``qom-set`` of the devices' ``bootindex``, which
  qemu applies at the next reset, so a reboot the guest does itself boots the
  persistent device; a persistent device set while the VM runs is applied the same
  way. A one-time device set while the VM runs is used by the next IPMI power on or
  reset only (a reboot by the guest does not see it: that would need a watcher of
  qemu's reset events);
- power off kills qemu's process group at once (a cut);
- soft off is an ACPI power-button press (QMP ``system_powerdown``): the guest
  decides, as a real OS does; nothing forces it off later;
- reset is QMP ``system_reset`` when the next boot's device has the order qemu holds;
  otherwise (a one-time device) qemu is restarted with it. A node that is off is
  powered on.

qemu runs in its own session with the node directory as working directory (its
QMP socket and console are relative paths there), its pid in ``firmware.pid`` and
the device it booted (``device``) and the one its order now holds (``order``) in
``last_boot.json``; its own messages go to ``qemu.log``.
Every call holds the node's lock, as ``LabNodeBackend`` does.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import time
from pathlib import Path

from ironic_tripleo.lab import process, qmp
from ironic_tripleo.lab.exception import VmStartError
from ironic_tripleo.lab.node import NodeDir
from ironic_tripleo.lab.node_backend import NodeDirBackend
from ironic_tripleo.lab.qemu_vm import (
    BOOT_DISK_ID,
    NIC_ID,
    NO_BOOTINDEX,
    VmDisk,
    VmSpec,
    boot_indexes,
    find_qemu,
    qemu_argv,
)
from ironic_tripleo.lab.readiness import wait_until
from ironic_tripleo.vbmc.backend import BootDevice, PowerState

LOG = logging.getLogger(__name__)


def vm_spec(info: dict) -> VmSpec:
    """Return the ``VmSpec`` described by a VM node's ``node.json``."""
    vm = info["vm"]
    return VmSpec(
        name=info["name"], cpus=info["cpus"], memory_mb=info["memory_mb"],
        mac=info["mac"], tap=vm["tap"], nic_model=vm.get("nic_model", "virtio"),
        disks=tuple(VmDisk(d["path"], d["serial"]) for d in vm["disks"]),
        smbios_manufacturer=vm["smbios"]["manufacturer"],
        smbios_product=vm["smbios"]["product"], smbios_serial=vm["smbios"]["serial"],
        accel=vm.get("accel", "tcg"))


class VmNodeBackend(NodeDirBackend):
    """One VM lab node behind a virtual BMC.

    :param node_dir: the node's directory (made by ``lab up --node-kind vm``).
    :param start_timeout: seconds qemu may take to open its QMP socket.
    :param qmp_timeout: seconds a QMP command may take.
    """

    def __init__(self, node_dir: str | Path, start_timeout: float = 15.0,
                 qmp_timeout: float = 5.0, **_ignored: object) -> None:
        self.node = NodeDir(node_dir)
        self.spec = vm_spec(self.node.info())
        self.name = self.spec.name
        self.start_timeout = start_timeout
        self.qmp_timeout = qmp_timeout
        self.qmp_socket = self.node.path / self.spec.qmp_socket
        self.qemu_log = self.node.path / "qemu.log"
        self.last_boot = self.node.path / "last_boot.json"
        self._children: dict[int, subprocess.Popen] = {}

    def __repr__(self) -> str:
        return f"VmNodeBackend({self.name}, {self.node.path})"

    # -- the qemu process -----------------------------------------------------

    def qemu_pid(self) -> int | None:
        """Return the pid of this node's running qemu, or None when it is off."""
        for pid, child in list(self._children.items()):
            if child.poll() is not None:
                del self._children[pid]
        pid = process.read_pid(self.node.pid_file)
        if pid is None or not process.is_alive(pid):
            return None
        if pid in self._children:
            return pid
        argv = process.cmdline(pid)
        # The pid may have been reused: it must be a qemu using this node's disk.
        if (not argv or "qemu" not in Path(argv[0]).name
                or str(self.node.path) not in " ".join(argv)):
            return None
        return pid

    def _start(self, device: str) -> int:
        argv = qemu_argv(self.spec, device, qemu=find_qemu())
        self.qmp_socket.unlink(missing_ok=True)
        with open(self.qemu_log, "ab") as log:
            child = subprocess.Popen(argv, cwd=self.node.path, stdin=subprocess.DEVNULL,
                                     stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self._children[child.pid] = child
        tmp = self.node.pid_file.with_suffix(".tmp")
        tmp.write_text(f"{child.pid}\n")
        os.replace(tmp, self.node.pid_file)
        self._write_last_boot(device, device, child.pid)
        try:
            self._wait_qmp(child)
            # qemu has done its first reset (the firmware's order is the one of the
            # command line); later resets must boot the persistent device
            persistent, _ = self.node.get_boot_device()
            if boot_indexes(persistent) != boot_indexes(device):
                self._set_order(persistent)
            self._write_last_boot(device, persistent, child.pid)
        except Exception:
            self._kill(child.pid)
            raise
        LOG.info("%s: powered on, booting from %s (qemu pid %s)", self.name, device,
                 child.pid)
        return child.pid

    def _set_order(self, device: str) -> None:
        """Give the running qemu the boot order of ``device`` for its next reset.

        Every ``bootindex`` is cleared first: qemu refuses an index another device
        (or the same one) already holds.
        """
        nic, disk = boot_indexes(device)
        steps = [(NIC_ID, NO_BOOTINDEX), (BOOT_DISK_ID, NO_BOOTINDEX), (BOOT_DISK_ID, disk)]
        if nic != NO_BOOTINDEX:
            steps.append((NIC_ID, nic))
        with qmp.QmpClient(self.qmp_socket, self.qmp_timeout) as client:
            for qom_id, index in steps:
                client.execute("qom-set", {"path": f"/machine/peripheral/{qom_id}",
                                           "property": "bootindex", "value": index})
        LOG.info("%s: qemu's boot order is now %s's", self.name, device)

    def _wait_qmp(self, child: subprocess.Popen) -> None:
        def qmp_answers() -> str | None:
            if child.poll() is not None:
                tail = process.log_tail(self.node.path, ("qemu.log",), lines=10)
                raise VmStartError(node=self.name,
                                   reason=f"exited with {child.returncode}: {tail}")
            if not self.qmp_socket.exists():
                return "no QMP socket"
            try:
                qmp.command(self.qmp_socket, "query-status", timeout=self.qmp_timeout)
            except qmp.QmpError as exc:
                return f"QMP: {exc}"
            return None

        reason = wait_until(qmp_answers, self.start_timeout, interval=0.05)
        if reason is not None:
            raise VmStartError(node=self.name,
                               reason=f"{reason} after {self.start_timeout}s")

    def _write_last_boot(self, device: str, order: str, pid: int) -> None:
        tmp = self.last_boot.with_suffix(".tmp")
        tmp.write_text(json.dumps({"device": device, "order": order, "pid": pid,
                                   "time": time.time()}) + "\n")
        os.replace(tmp, self.last_boot)

    def running_order(self) -> str | None:
        """The device whose boot order the running qemu holds (None when unknown)."""
        try:
            return json.loads(self.last_boot.read_text())["order"]
        except (FileNotFoundError, ValueError, KeyError):
            return None

    def _kill(self, pid: int) -> None:
        process.kill_group(pid)
        child = self._children.pop(pid, None)
        if child is not None:
            child.wait(timeout=5)
        self.node.pid_file.unlink(missing_ok=True)
        self.qmp_socket.unlink(missing_ok=True)

    def _qmp(self, command: str) -> None:
        qmp.command(self.qmp_socket, command, timeout=self.qmp_timeout)

    # -- NodeBackend ----------------------------------------------------------

    def set_boot_device(self, device: BootDevice, persistent: bool) -> None:
        """Store the device; a persistent one also becomes the running VM's order."""
        super().set_boot_device(device, persistent)
        if not persistent:
            return
        with self.node.locked():
            pid = self.qemu_pid()
            order = self.running_order()
            value = BootDevice(device).value
            if pid is None or order is None or boot_indexes(order) == boot_indexes(value):
                return
            try:
                self._set_order(value)
            except qmp.QmpError as exc:  # qemu is going away: the next power on uses it
                LOG.warning("%s: could not change the running VM's boot order: %s",
                            self.name, exc)
                return
            boot = json.loads(self.last_boot.read_text())
            self._write_last_boot(boot["device"], value, pid)

    def get_power_state(self) -> PowerState:
        with self.node.locked():
            return PowerState.ON if self.qemu_pid() else PowerState.OFF

    def power_on(self) -> None:
        with self.node.locked():
            if self.qemu_pid() is None:
                self._start(self.node.take_boot_device())

    def power_off(self) -> None:
        with self.node.locked():
            pid = self.qemu_pid()
            if pid is not None:
                self._kill(pid)
                LOG.info("%s: powered off (qemu pid %s killed)", self.name, pid)

    def soft_off(self) -> None:
        """Press the ACPI power button; the guest shuts down if it listens."""
        with self.node.locked():
            if self.qemu_pid() is not None:
                self._qmp("system_powerdown")
                LOG.info("%s: ACPI power-down sent", self.name)

    def reset(self) -> None:
        with self.node.locked():
            pid = self.qemu_pid()
            device = self.node.take_boot_device()
            order = self.running_order()
            if pid is not None and order is not None and \
                    boot_indexes(device) == boot_indexes(order):
                self._qmp("system_reset")
                self._write_last_boot(device, order, pid)
                LOG.info("%s: reset (QMP system_reset), booting from %s", self.name, device)
                return
            if pid is not None:
                self._kill(pid)
            self._start(device)
