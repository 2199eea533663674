"""BMC addresses from ``ipmitool lan print`` / ``lan6 print`` (IPA's bmc_* fields).

Without an IPMI device the addresses are IPA's "unknown" values, ``0.0.0.0`` and
``::/0``, which Ironic's lookup ignores.
"""

from __future__ import annotations

import logging
import os
import re

from ramdisk import command

LOG = logging.getLogger(__name__)

NO_V4 = "0.0.0.0"  # noqa: S104 - IPA's value for "no BMC address", never bound
NO_V6 = "::/0"
IPMI_DEVICES = ("/dev/ipmi0", "/dev/ipmi/0", "/dev/ipmidev/0")
CHANNELS = range(1, 12)
_V6_BLOCK = re.compile(r"IPv6 (?:Static|Dynamic) Address \d+:")


def parse_lan_print(text: str) -> dict[str, str | None]:
    """Return ``address`` and ``mac`` from ``ipmitool lan print`` output (None if absent)."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() not in fields:
            fields[key.strip()] = value.strip()
    address = fields.get("IP Address") or None
    mac = (fields.get("MAC Address") or "").lower() or None
    if address == NO_V4:
        address = None
    if mac == "00:00:00:00:00:00":
        mac = None
    return {"address": address, "mac": mac}


def parse_lan6_print(text: str) -> str | None:
    """Return the first active IPv6 address (no prefix length) in ``lan6 print`` output."""
    for block in _V6_BLOCK.split(text)[1:]:
        fields: dict[str, str] = {}
        for line in block.splitlines():
            key, sep, value = line.partition(":")
            if sep and key.strip() in ("Enabled", "Address", "Status"):
                fields.setdefault(key.strip(), value.strip())
        address = fields.get("Address", "").split("/")[0]
        if address and address != "::" and fields.get("Status", "active") == "active":
            return address
    return None


def has_ipmi_device(devices: tuple[str, ...] = IPMI_DEVICES) -> bool:
    """Return whether a local IPMI device node exists (no point running ipmitool if not)."""
    return any(os.path.exists(d) for d in devices)


def _ipmitool(args: list[str], timeout: float) -> str | None:
    result = command.run(["ipmitool", *args], timeout)
    if result.returncode in (command.KILLED, command.NOT_RUN):
        LOG.warning("ipmitool %s failed: %s", " ".join(args), command.tail(result))
        return None
    if result.returncode != 0:
        LOG.debug("ipmitool %s exited %s: %s", " ".join(args), result.returncode,
                  command.tail(result))
        return None
    return result.stdout


def collect(timeout: float = 10.0, devices: tuple[str, ...] = IPMI_DEVICES) -> dict[str, str]:
    """Return ``bmc_address``, ``bmc_v6address`` and, when known, ``bmc_mac``.

    Tries LAN channels 1-11 as IPA does and keeps the first with an address.
    """
    result = {"bmc_address": NO_V4, "bmc_v6address": NO_V6}
    if not has_ipmi_device(devices):
        LOG.info("no IPMI device (%s): no BMC address", ", ".join(devices))
        return result
    for channel in CHANNELS:
        text = _ipmitool(["lan", "print", str(channel)], timeout)
        if text is None:
            continue
        found = parse_lan_print(text)
        if found["mac"] and "bmc_mac" not in result:
            result["bmc_mac"] = found["mac"]
        if found["address"]:
            result["bmc_address"] = found["address"]
            if found["mac"]:
                result["bmc_mac"] = found["mac"]
            v6 = _ipmitool(["lan6", "print", str(channel)], timeout)
            if v6:
                result["bmc_v6address"] = parse_lan6_print(v6) or NO_V6
            break
    LOG.info("BMC address %s (v6 %s)", result["bmc_address"], result["bmc_v6address"])
    return result
