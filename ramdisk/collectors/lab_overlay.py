"""Lab only: the virtual node's declared hardware replaces the host's.

A lab node is a network namespace on the host: it sees the host's CPUs, memory and
disks. Its firmware emulation (``ironic_tripleo.lab.pxe_rom``) therefore adds
``tripleo-lab-hardware=/abs/path/hardware.json`` to the kernel command line it got
from Ironic's PXE config, as a VM's firmware tables describe the VM. The file::

    {"cpus": 4, "memory_mb": 8192, "arch": "x86_64",
     "disks": [{"name": "/dev/vda", "path": "/.../disk.img", "serial": "LAB...",
                "rotational": false, "model": "...", "vendor": "..."}]}

replaces the CPU count and architecture, the memory and the whole disk list (each
disk's size is its file's size) in the inventory and in the fact list. Everything
else (NICs, MACs, addresses, system) stays what the agent found. A real ramdisk
never gets the parameter: no PXE config Ironic writes contains it.
"""

from __future__ import annotations

import json
import os
from typing import Any

from ramdisk.exception import CollectorError

MiB = 1024 ** 2
GB = 1000 ** 3  # hardware-detect's disk size unit
_REPLACED_FACTS = {("cpu", "logical", "number"), ("cpu", "physical", "number"),
                   ("memory", "total", "size")}


def load(path: str) -> dict[str, Any]:
    """Read and check an overlay file.

    :raises CollectorError: when it is unreadable or lacks cpus, memory_mb or disks.
    """
    try:
        with open(path, encoding="utf-8") as f:
            overlay = json.load(f)
    except (OSError, ValueError) as exc:
        raise CollectorError(collector="lab_overlay", reason=f"{path}: {exc}") from exc
    ok = (isinstance(overlay, dict) and isinstance(overlay.get("cpus"), int)
          and isinstance(overlay.get("memory_mb"), int)
          and isinstance(overlay.get("disks"), list))
    if not ok:
        raise CollectorError(collector="lab_overlay",
                             reason=f"{path}: needs integer cpus and memory_mb and a disks list")
    for disk in overlay["disks"]:
        try:
            disk["size"] = os.stat(disk["path"]).st_size
        except (OSError, KeyError, TypeError) as exc:
            raise CollectorError(collector="lab_overlay",
                                 reason=f"{path}: disk {disk!r}: {exc}") from exc
    return overlay


def _inventory_disk(disk: dict[str, Any]) -> dict[str, Any]:
    return {"name": disk["name"], "size": disk["size"], "model": disk.get("model", ""),
            "serial": disk.get("serial", ""), "vendor": disk.get("vendor", ""),
            "rotational": bool(disk.get("rotational")), "wwn": None,
            "wwn_with_extension": None, "wwn_vendor_extension": None, "by_path": None,
            "hctl": None, "logical_sectors": 512, "physical_sectors": 512}


def apply_inventory(inventory: dict[str, Any], overlay: dict[str, Any]) -> None:
    """Replace cpu count/architecture, memory and disks in an IPA inventory."""
    cpu = inventory.setdefault("cpu", {})
    cpu["count"] = overlay["cpus"]
    cpu["socket_count"] = 1
    if overlay.get("arch"):
        cpu["architecture"] = overlay["arch"]
    inventory["memory"] = {"total": overlay["memory_mb"] * MiB,
                           "physical_mb": overlay["memory_mb"]}
    inventory["disks"] = [_inventory_disk(d) for d in overlay["disks"]]


def apply_facts(facts: list[list[str]], overlay: dict[str, Any]) -> list[list[str]]:
    """Return ``facts`` with the overlay's cpu count, memory and disks instead."""
    kept = [f for f in facts if f[0] != "disk" and tuple(f[:3]) not in _REPLACED_FACTS]
    kept += [["cpu", "logical", "number", str(overlay["cpus"])],
             ["cpu", "physical", "number", "1"],
             ["memory", "total", "size", str(overlay["memory_mb"] * MiB)],
             ["disk", "logical", "count", str(len(overlay["disks"]))]]
    for disk in overlay["disks"]:
        name = disk["name"].rsplit("/", 1)[-1]
        kept += [["disk", name, "size", str(disk["size"] // GB)],
                 ["disk", name, "rotational", "1" if disk.get("rotational") else "0"],
                 ["disk", name, "serial", str(disk.get("serial", ""))],
                 ["disk", name, "model", str(disk.get("model", ""))],
                 ["disk", name, "vendor", str(disk.get("vendor", ""))]]
    return kept
