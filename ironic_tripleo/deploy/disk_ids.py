"""What Ironic calls ``root_uuid_or_disk_id``: how a deployed disk is found again.

Ironic keeps it in ``driver_internal_info`` and puts it into the PXE configuration it
leaves as a safety net (``[pxe] enable_netboot_fallback``): a whole-disk image is
named by its MBR disk signature (``0x1234abcd``, what ``chain.c32 mbr:`` takes), a
partition image by the UUID of its root file system. Both are read on the conductor,
from the verified image or the locally laid-out disk, before anything is written.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from ironic_tripleo import command

LOG = logging.getLogger(__name__)
SECTOR = 512


def mbr_signature(sector: bytes) -> str | None:
    """The disk signature of an MBR (or GPT protective MBR) as ``0x%08x``.

    None when ``sector`` is not a boot sector (no 0x55AA) or the signature is zero,
    which names no disk.
    """
    if len(sector) < SECTOR or sector[510:512] != b"\x55\xaa":
        return None
    signature = int.from_bytes(sector[440:444], "little")
    return f"0x{signature:08x}" if signature else None


def first_sector(path: Path | str, fmt: str = "raw") -> bytes:
    """The first 512 bytes of the image's virtual disk (``fmt`` as qemu-img names it)."""
    if fmt == "raw":
        with open(path, "rb") as f:
            return f.read(SECTOR)
    with tempfile.TemporaryDirectory(prefix="tripleo-mbr-") as tmp:
        out = Path(tmp) / "sector"
        result = command.run(
            ["qemu-img", "dd", "-f", fmt, "-O", "raw", f"bs={SECTOR}", "count=1",
             f"if={path}", f"of={out}"], timeout=60)
        if result.returncode != 0:
            LOG.warning("cannot read the first sector of %s: %s", path, command.tail(result))
            return b""
        return out.read_bytes()


def disk_identifier(path: Path | str, fmt: str = "raw") -> str | None:
    """The MBR disk signature of a whole-disk image, or None when it has none."""
    return mbr_signature(first_sector(path, fmt))


def filesystem_uuid(path: Path | str, offset: int = 0) -> str | None:
    """The UUID of the file system at byte ``offset`` of raw file ``path``, or None."""
    result = command.run(
        ["blkid", "-p", "-O", str(offset), "-o", "value", "-s", "UUID", str(path)], timeout=60)
    uuid = result.stdout.strip()
    if result.returncode != 0 or not uuid:
        return None  # blkid exits 2 when it recognises nothing
    return uuid
