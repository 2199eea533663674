"""Network interfaces from netifaces and sysfs (IPA's ``NetworkInterface``).

Unlike lshw (and so ``hardware-detect``), this reports virtual NICs such as veth,
so the agent sees its NIC inside a network namespace. Loopback and interfaces
without a MAC are left out: Ironic requires a MAC for every reported interface.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

import netifaces

from ramdisk.collectors import sysfs

LOG = logging.getLogger(__name__)

SYS_NET = "/sys/class/net"
ARPHRD_LOOPBACK = "772"
SYSFS_FILES = {
    "carrier": "carrier",
    "speed": "speed",
    "operstate": "operstate",
    "type": "type",
    "vendor": "device/vendor",
    "product": "device/device",
}
_NO_MAC = ("", "00:00:00:00:00:00")


def _first_ipv4(addrs: Mapping[int, list[dict[str, str]]]) -> str | None:
    for entry in addrs.get(netifaces.AF_INET, []):
        if entry.get("addr"):
            return entry["addr"]
    return None


def _best_ipv6(addrs: Mapping[int, list[dict[str, str]]]) -> str | None:
    """Return a global IPv6 address if there is one, else the link-local one; no scope."""
    found = [e["addr"].split("%")[0] for e in addrs.get(netifaces.AF_INET6, []) if e.get("addr")]
    for address in found:
        if not address.lower().startswith("fe80:"):
            return address
    return found[0] if found else None


def _speed(value: str | None) -> int | None:
    try:
        speed = int(value) if value else None
    except ValueError:
        return None
    return speed if speed and speed > 0 else None


def interface_record(name: str, addrs: Mapping[int, list[dict[str, str]]],
                     sysfs: Mapping[str, str]) -> dict[str, object] | None:
    """Return one inventory ``interfaces`` entry, or None for loopback / no MAC.

    :param addrs: ``netifaces.ifaddresses(name)``.
    :param sysfs: values read from the files in ``SYSFS_FILES``.
    """
    if name == "lo" or sysfs.get("type") == ARPHRD_LOOPBACK:
        return None
    links = addrs.get(netifaces.AF_LINK, [])
    mac = (links[0].get("addr", "") if links else "").lower()
    if mac in _NO_MAC or len(mac.split(":")) != 6:
        LOG.debug("skipping interface %s without an Ethernet MAC (%r)", name, mac)
        return None
    return {
        "name": name,
        "mac_address": mac,
        "ipv4_address": _first_ipv4(addrs),
        "ipv6_address": _best_ipv6(addrs),
        "has_carrier": sysfs.get("carrier") == "1",
        "lldp": None,
        "vendor": sysfs.get("vendor") or None,
        "product": sysfs.get("product") or None,
        "client_id": None,
        "biosdevname": None,
        "speed_mbps": _speed(sysfs.get("speed")),
    }


def read_sysfs(name: str, root: str = SYS_NET) -> dict[str, str]:
    """Return the readable ``SYSFS_FILES`` of ``/sys/class/net/<name>``.

    ``carrier`` and ``speed`` raise EINVAL on a down interface: they are left out.
    """
    return sysfs.read_files(os.path.join(root, name), SYSFS_FILES)


def collect(sys_net: str = SYS_NET) -> list[dict[str, object]]:
    """Return the inventory's ``interfaces`` list, sorted by name."""
    result = []
    for name in sorted(netifaces.interfaces()):
        try:
            addrs = netifaces.ifaddresses(name)
        except ValueError:  # vanished between listing and reading
            continue
        record = interface_record(name, addrs, read_sysfs(name, sys_net))
        if record:
            result.append(record)
    LOG.info("found %d interface(s): %s", len(result),
             ", ".join(f"{r['name']}={r['mac_address']}" for r in result))
    return result
