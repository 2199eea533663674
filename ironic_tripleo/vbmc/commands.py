"""IPMI commands that act on the machine: (netfn, command) -> ``NodeBackend`` calls.

Runs in worker threads (a backend may be slow); the only state here besides the
backend is the boot-option bookkeeping the backend does not model, under a lock.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable

from ironic_tripleo.vbmc.backend import BootDevice, NodeBackend, PowerState
from ironic_tripleo.vbmc.packet import IpmiRequest
from ironic_tripleo.vbmc.session import PRIV_OPERATOR, PRIV_USER

LOG = logging.getLogger(__name__)

NETFN_CHASSIS = 0x00
NETFN_APP = 0x06

CC_OK = 0x00
CC_PARAMETER_NOT_SUPPORTED = 0x80
CC_INVALID_COMMAND = 0xC1
CC_REQUEST_LENGTH = 0xC7
CC_INVALID_DATA = 0xCC
CC_INSUFFICIENT_PRIVILEGE = 0xD4
CC_NOT_IN_PRESENT_STATE = 0xD5
CC_UNSPECIFIED = 0xFF

# Boot flags (parameter 5) byte 2, bits 5:2 (table 28-14) <-> backend devices.
_DEVICE_CODES = {BootDevice.PXE: 0x04, BootDevice.DISK: 0x08, BootDevice.CDROM: 0x14,
                 BootDevice.BIOS: 0x18}
_CODE_DEVICES = {**{v: k for k, v in _DEVICE_CODES.items()}, 0x0C: BootDevice.DISK,
                 0x20: BootDevice.CDROM}
BOOT_FLAG_VALID = 0x80
BOOT_FLAG_PERSISTENT = 0x40
BOOT_FLAG_EFI = 0x20

Result = tuple[int, bytes]


@dataclasses.dataclass
class _BootBookkeeping:
    set_in_progress: int = 0
    valid_bit_clearing: int = 0
    info_acknowledge: int = 0
    efi: bool = False
    override: bool = True  # False after "bootdev none": flags read "no override"


class CommandDispatcher:
    """Executes machine commands of one node against its backend.

    :param node: the node's name, for log lines.
    :param backend: what the commands act on.
    """

    def __init__(self, node: str, backend: NodeBackend) -> None:
        self.node = node
        self.backend = backend
        self._lock = threading.Lock()
        self._boot = _BootBookkeeping()
        self._table: dict[tuple[int, int], tuple[Callable[[bytes], Result], int]] = {
            (NETFN_CHASSIS, 0x01): (self._get_chassis_status, PRIV_USER),
            (NETFN_CHASSIS, 0x02): (self._chassis_control, PRIV_OPERATOR),
            (NETFN_CHASSIS, 0x08): (self._set_boot_options, PRIV_OPERATOR),
            (NETFN_CHASSIS, 0x09): (self._get_boot_options, PRIV_OPERATOR),
        }

    def handles(self, netfn: int, command: int) -> bool:
        """Whether (netfn, command) is one of this dispatcher's commands."""
        return (netfn, command) in self._table

    def execute(self, request: IpmiRequest, privilege: int) -> Result:
        """Run ``request`` at the session's ``privilege``; return (completion code, data)."""
        entry = self._table.get((request.netfn, request.command))
        if entry is None:
            return CC_INVALID_COMMAND, b""
        handler, needed = entry
        if privilege < needed:
            return CC_INSUFFICIENT_PRIVILEGE, b""
        try:
            return handler(request.data)
        except Exception:
            # The one boundary between IPMI and arbitrary backend code: the console
            # gets "unspecified error" instead of a timeout.
            LOG.exception("%s: backend failed on netfn %#x command %#x", self.node,
                          request.netfn, request.command)
            return CC_UNSPECIFIED, b""

    def _get_chassis_status(self, data: bytes) -> Result:
        on = self.backend.get_power_state() is PowerState.ON
        # Power restore policy "previous" (bits 6:5 = 01b); no faults, no events.
        return CC_OK, bytes((0x20 | int(on), 0x00, 0x00))

    def _chassis_control(self, data: bytes) -> Result:
        if len(data) != 1:
            return CC_REQUEST_LENGTH, b""
        action = data[0] & 0x0F
        backend = self.backend
        if action == 0x00:
            LOG.info("%s: power off", self.node)
            backend.power_off()
        elif action == 0x01:
            LOG.info("%s: power on", self.node)
            backend.power_on()
        elif action == 0x02:
            LOG.info("%s: power cycle", self.node)
            backend.power_off()
            backend.power_on()
        elif action == 0x03:
            if backend.get_power_state() is PowerState.OFF:
                LOG.info("%s: hard reset refused: power is off", self.node)
                return CC_NOT_IN_PRESENT_STATE, b""
            LOG.info("%s: hard reset", self.node)
            backend.reset()
        elif action == 0x05:
            LOG.info("%s: soft off", self.node)
            if backend.get_power_state() is PowerState.ON:
                backend.soft_off()
        else:
            return CC_INVALID_DATA, b""
        return CC_OK, b""

    def _set_boot_options(self, data: bytes) -> Result:
        if not data:
            return CC_REQUEST_LENGTH, b""
        param, value = data[0] & 0x7F, data[1:]
        sizes = {0: 1, 3: 1, 4: 2, 5: 5}
        if param not in sizes:
            return CC_PARAMETER_NOT_SUPPORTED, b""
        if len(value) < sizes[param]:
            return CC_REQUEST_LENGTH, b""
        with self._lock:
            boot = self._boot
            if param == 0:
                boot.set_in_progress = value[0] & 0x03
            elif param == 3:
                boot.valid_bit_clearing = value[0] & 0x1F
            elif param == 4:
                mask = value[0]
                boot.info_acknowledge = (boot.info_acknowledge & ~mask) | (value[1] & mask)
            else:
                return self._set_boot_flags(value)
        return CC_OK, b""

    def _set_boot_flags(self, flags: bytes) -> Result:
        code = flags[1] & 0x3C
        if not flags[0] & BOOT_FLAG_VALID or code == 0:
            LOG.info("%s: boot device: no override", self.node)
            self._boot.override = False
            return CC_OK, b""
        device = _CODE_DEVICES.get(code)
        if device is None:
            return CC_INVALID_DATA, b""
        persistent = bool(flags[0] & BOOT_FLAG_PERSISTENT)
        LOG.info("%s: boot device %s%s", self.node, device.value,
                 " (persistent)" if persistent else "")
        self.backend.set_boot_device(device, persistent)
        self._boot.efi = bool(flags[0] & BOOT_FLAG_EFI)
        self._boot.override = True
        return CC_OK, b""

    def _get_boot_options(self, data: bytes) -> Result:
        if len(data) < 3:
            return CC_REQUEST_LENGTH, b""
        param = data[0] & 0x7F
        with self._lock:
            boot = self._boot
            if param == 0:
                value = bytes((boot.set_in_progress,))
            elif param == 3:
                value = bytes((boot.valid_bit_clearing,))
            elif param == 4:
                value = bytes((0x00, boot.info_acknowledge))
            elif param == 5:
                value = self._boot_flags()
            else:
                return CC_PARAMETER_NOT_SUPPORTED, b""
        return CC_OK, bytes((0x01, param)) + value

    def _boot_flags(self) -> bytes:
        if not self._boot.override:
            return bytes(5)
        device, persistent = self.backend.get_boot_device()
        first = (BOOT_FLAG_VALID | (BOOT_FLAG_PERSISTENT if persistent else 0)
                 | (BOOT_FLAG_EFI if self._boot.efi else 0))
        return bytes((first, _DEVICE_CODES[device], 0x00, 0x00, 0x00))
