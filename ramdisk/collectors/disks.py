"""Block devices from udev and sysfs (IPA's ``BlockDevice``).

Whole disks only; RAM disks, loop, zram and optical drives are skipped unless asked
for, as are disks of size 0 (empty card readers).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

import pyudev

from ramdisk.collectors import sysfs

LOG = logging.getLogger(__name__)

SYS_BLOCK = "/sys/block"
VIRTUAL_PREFIXES = ("ram", "loop", "zram", "sr", "fd", "nbd", "dm-", "md")
SECTOR = 512
# sysfs files (relative to /sys/block/<name>) that back up missing udev properties
SYSFS_FILES = {
    "size": "size",
    "rotational": "queue/rotational",
    "model": "device/model",
    "vendor": "device/vendor",
    "serial": "serial",
    "device_serial": "device/serial",
    "wwid": "device/wwid",
    "logical_block_size": "queue/logical_block_size",
    "physical_block_size": "queue/physical_block_size",
}


def is_skipped(name: str, properties: Mapping[str, str], all_disks: bool = False) -> bool:
    """Return whether ``name`` is a virtual or optical device left out by default."""
    if all_disks:
        return False
    if properties.get("ID_CDROM") == "1" or properties.get("ID_TYPE") == "cd":
        return True
    return name.startswith(VIRTUAL_PREFIXES)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().replace("_", " ") if value else value
    return value or None


def _wwn_from_wwid(wwid: str | None) -> str | None:
    """Turn a SCSI ``wwid`` like ``naa.5000c500a1b2c3d4`` into ``0x5000c500a1b2c3d4``."""
    if not wwid:
        return None
    kind, _, value = wwid.strip().partition(".")
    if kind in ("naa", "eui") and value:
        return "0x" + value.lower()
    return None


def disk_record(name: str, properties: Mapping[str, str],
                sysfs: Mapping[str, str]) -> dict[str, object]:
    """Return one inventory ``disks`` entry from udev properties and sysfs values.

    :param name: kernel name (``sda``).
    :param properties: udev properties (``ID_MODEL``, ``ID_SERIAL_SHORT``, ``ID_WWN``,
        ``ID_PATH``...); may be nearly empty where no udev database exists.
    :param sysfs: values read from the files named in ``SYSFS_FILES``.
    """
    size = int(sysfs.get("size") or 0) * SECTOR
    wwn = properties.get("ID_WWN") or _wwn_from_wwid(sysfs.get("wwid"))
    id_path = properties.get("ID_PATH")
    serial = (properties.get("ID_SERIAL_SHORT") or sysfs.get("serial")
              or sysfs.get("device_serial") or properties.get("ID_SERIAL"))
    rotational = sysfs.get("rotational")
    return {
        "name": f"/dev/{name}",
        "model": _clean(properties.get("ID_MODEL")) or _clean(sysfs.get("model")) or "",
        "size": size,
        "rotational": rotational == "1" if rotational is not None else True,
        "wwn": wwn or None,
        "serial": serial.strip() if serial else None,
        "vendor": _clean(properties.get("ID_VENDOR")) or _clean(sysfs.get("vendor")) or "",
        "wwn_with_extension": properties.get("ID_WWN_WITH_EXTENSION") or wwn or None,
        "wwn_vendor_extension": properties.get("ID_WWN_VENDOR_EXTENSION") or None,
        "hctl": None,
        "by_path": f"/dev/disk/by-path/{id_path}" if id_path else None,
        "logical_sectors": _int(sysfs.get("logical_block_size")),
        "physical_sectors": _int(sysfs.get("physical_block_size")),
    }


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def read_sysfs(name: str, root: str = SYS_BLOCK) -> dict[str, str]:
    """Return the readable ``SYSFS_FILES`` of ``/sys/block/<name>``."""
    return sysfs.read_files(os.path.join(root, name), SYSFS_FILES)


def collect(all_disks: bool = False, sys_block: str = SYS_BLOCK) -> list[dict[str, object]]:
    """Return the inventory's ``disks`` list, sorted by name.

    :param all_disks: include virtual and optical devices and empty drives.
    """
    context = pyudev.Context()
    disks = []
    for device in context.list_devices(subsystem="block", DEVTYPE="disk"):
        name = device.sys_name
        properties = dict(device.properties)
        if is_skipped(name, properties, all_disks):
            LOG.debug("skipping block device %s", name)
            continue
        record = disk_record(name, properties, read_sysfs(name, sys_block))
        if not record["size"] and not all_disks:
            LOG.debug("skipping empty block device %s", name)
            continue
        disks.append(record)
    disks.sort(key=lambda d: str(d["name"]))
    LOG.info("found %d disk(s): %s", len(disks), ", ".join(str(d["name"]) for d in disks))
    return disks
