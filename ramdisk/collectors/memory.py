"""Memory: usable bytes and installed MiB (IPA's ``Memory``)."""

from __future__ import annotations

import math
import os

import psutil

MiB = 1024 * 1024
SYS_MEMORY = "/sys/devices/system/memory"


def physical_mb_from_sysfs(root: str = SYS_MEMORY) -> int | None:
    """Return the MiB of online memory blocks (what ``lsmem`` reports), or None.

    ``MemTotal`` misses what the kernel and firmware reserve; the memory blocks
    add up to the installed size, which is what schedulers and role rules expect.
    """
    try:
        with open(os.path.join(root, "block_size_bytes"), encoding="ascii") as f:
            block = int(f.read().strip(), 16)
        names = [n for n in os.listdir(root) if n.startswith("memory") and n[6:].isdigit()]
    except (OSError, ValueError):
        return None
    online = 0
    for name in names:
        try:
            with open(os.path.join(root, name, "online"), encoding="ascii") as f:
                online += f.read().strip() == "1"
        except OSError:
            online += 1  # blocks without an 'online' file cannot be offlined
    return online * block // MiB if online else None


def physical_mb(total_bytes: int, sysfs_mb: int | None) -> int:
    """Return the installed MiB: the sysfs figure when it is plausible, else total rounded up.

    :param total_bytes: usable memory in bytes (``MemTotal``).
    :param sysfs_mb: MiB from the memory blocks, or None.
    """
    total_mb = math.ceil(total_bytes / MiB)
    if sysfs_mb and sysfs_mb >= total_mb:
        return sysfs_mb
    return total_mb


def collect(sysfs_root: str = SYS_MEMORY) -> dict[str, int]:
    """Return the inventory's ``memory`` section for this machine."""
    total = psutil.virtual_memory().total
    return {"total": total, "physical_mb": physical_mb(total, physical_mb_from_sysfs(sysfs_root))}
