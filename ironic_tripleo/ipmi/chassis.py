"""Standard IPMI chassis requests, written as operations the session pool drives.

An operation is a generator: it yields ``(netfn, command, data)`` requests, gets
each answer (pyghmi's response dict, already checked for errors) sent back, and
returns its result. The pool sends each request on the BMC's session from its loop
thread, so an operation never waits itself. pyghmi's ``get_power``/``set_power``
first identify the BMC's vendor and ``set_power`` reads the state before changing
it; Ironic needs neither: these send exactly the standard requests (IPMI 2.0 spec,
chassis netfn 0x00).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

Request = tuple[int, int, tuple[int, ...]]
Operation = Generator[Request, dict[str, Any], Any]

NETFN_CHASSIS = 0x00
NETFN_APP = 0x06
GET_DEVICE_ID = 0x01
GET_CHASSIS_STATUS = 0x01
CHASSIS_CONTROL = 0x02
SET_BOOT_OPTIONS = 0x08
GET_BOOT_OPTIONS = 0x09
BOOT_FLAGS = 5
BOOT_INFO_ACK = 3
# Chassis Control data byte for each action we send.
CONTROL = {"off": 0x00, "on": 0x01, "cycle": 0x02, "reset": 0x03, "shutdown": 0x05}
# Boot device selector (boot flags data 2, bits 5:2), as pyghmi names devices.
BOOT_DEVICES = {"default": 0, "network": 1, "hd": 2, "safe": 3, "optical": 5,
                "setup": 6, "floppy": 15}
_DEVICE_NAMES = {number: name for name, number in BOOT_DEVICES.items()}


def get_device_id() -> Operation:
    """Send Get Device ID (application netfn 0x06): the cheapest request, a keepalive."""
    yield (NETFN_APP, GET_DEVICE_ID, ())


def get_power() -> Operation:
    """Return ``'on'`` or ``'off'`` from Get Chassis Status (current power state bit).

    :raises: ValueError on an answer too short to hold the power state.
    """
    answer = yield (NETFN_CHASSIS, GET_CHASSIS_STATUS, ())
    data = answer.get("data") or b""
    if not data:
        raise ValueError("Get Chassis Status answer has no data")
    return "on" if data[0] & 0x01 else "off"


def control(action: str) -> Operation:
    """Send Chassis Control ``action`` (one of :data:`CONTROL`).

    :raises: KeyError for an unknown action (before anything is sent).
    """
    code = CONTROL[action]
    yield (NETFN_CHASSIS, CHASSIS_CONTROL, (code,))


def set_boot_device(device: str, persistent: bool = False, uefi: bool = False
                    ) -> Operation:
    """Set the boot device override, as pyghmi's ``set_bootdev`` does.

    First clears the boot info acknowledge bits (parameter 3), then writes the
    boot flags (parameter 5): valid, persistent, UEFI, device.

    :param device: a key of :data:`BOOT_DEVICES` (``default`` clears the override).
    :raises: KeyError for an unknown device (before anything is sent).
    """
    number = BOOT_DEVICES[device]
    flags = 0x80 | (0x20 if uefi else 0) | (0x40 if persistent else 0)
    if number == 0:
        flags = 0
    yield (NETFN_CHASSIS, SET_BOOT_OPTIONS, (BOOT_INFO_ACK, 0x08))
    yield (NETFN_CHASSIS, SET_BOOT_OPTIONS, (BOOT_FLAGS, flags, number << 2, 0, 0, 0))
    return {"bootdev": device}


def get_boot_device() -> Operation:
    """Read the boot flags; returns pyghmi's ``get_bootdev`` dict.

    ``{'bootdev': 'default', 'persistent': True}`` when no valid override is set,
    else ``bootdev``, ``persistent`` and ``uefimode``.
    """
    answer = yield (NETFN_CHASSIS, GET_BOOT_OPTIONS, (BOOT_FLAGS, 0, 0))
    return decode_boot_flags(bytes(answer.get("data") or b""))


def decode_boot_flags(data: bytes) -> dict[str, Any]:
    """Decode a Get System Boot Options answer for the boot flags parameter.

    :raises: ValueError when the answer is not for the boot flags parameter.
    """
    if len(data) < 4 or (data[1] & 0x7F) != BOOT_FLAGS:
        raise ValueError(f"unexpected Get System Boot Options answer {data.hex()}")
    if data[1] & 0x80 or not data[2] & 0x80:
        return {"bootdev": "default", "persistent": True}
    return {"bootdev": _DEVICE_NAMES.get((data[3] & 0x3C) >> 2, "default"),
            "persistent": bool(data[2] & 0x40), "uefimode": bool(data[2] & 0x20)}
