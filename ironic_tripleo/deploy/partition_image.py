"""Partition images: lay the whole disk out locally, then write it as one raw disk.

The remote LUN cannot be partitioned with the kernel here (no iscsi_tcp), so the
disk is built in a local sparse file of the LUN's size: ``parted`` writes the label
(GPT or MBR), each file system is made in its own sparse file (``mkfs.vfat`` for the
ESP, ``mkswap``, ``mkfs.<fs>`` for the ephemeral partition) and copied to its offset
with ``qemu-img``, as are the config drive and the root image (converted from qcow2
on the way). No loop device, no mount: safe for concurrent deploys.

Order on the disk: ESP (UEFI) or bios_grub (BIOS on GPT), ephemeral, swap, config
drive, root last (it takes the rest of the disk unless ``root_mb`` is given).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import tempfile
from pathlib import Path

from baremetal_common.node_log import node_log
from ironic_tripleo import command
from ironic_tripleo.deploy import image_info
from ironic_tripleo.exception import CommandFailed, ImageTooLarge, PartitionLayoutError

LOG = logging.getLogger(__name__)
MiB = 1024 * 1024
CONFIGDRIVE_MIN_MB = 64
EPHEMERAL_LABEL = "ephemeral0"
CONFIGDRIVE_LABEL = "config-2"


@dataclasses.dataclass(frozen=True)
class Layout:
    """What a partition-image deploy asks for (sizes in MiB; 0 means none).

    :param label: ``gpt`` or ``msdos``.
    :param boot_mode: ``uefi`` (adds an ESP) or ``bios`` (a bios_grub on GPT).
    :param configdrive_mb: 0 to size it from the config drive image (at least 64).
    :param root_mb: None to give root the rest of the disk.
    """

    label: str = "gpt"
    boot_mode: str = "bios"
    esp_mb: int = 550
    swap_mb: int = 0
    ephemeral_mb: int = 0
    ephemeral_format: str = "ext4"
    configdrive: bool = False
    configdrive_mb: int = 0
    root_mb: int | None = None


@dataclasses.dataclass(frozen=True)
class Part:
    """One planned partition; ``start``/``size`` in bytes, ``number`` from 1."""

    number: int
    role: str  # esp, bios_grub, ephemeral, swap, configdrive, root
    start: int
    size: int


def plan(layout: Layout, disk_size: int, configdrive_size: int = 0,
         node: str = "?") -> list[Part]:
    """Return the partitions of ``layout`` on a disk of ``disk_size`` bytes.

    :raises PartitionLayoutError: bad label/boot mode, too many MBR partitions, or the
        partitions do not fit (naming sizes).
    """
    def bad(reason: str) -> PartitionLayoutError:
        return PartitionLayoutError(node=node, reason=reason)

    if layout.label not in ("gpt", "msdos") or layout.boot_mode not in ("bios", "uefi"):
        raise bad(f"label {layout.label!r} / boot mode {layout.boot_mode!r}: allowed "
                  "gpt or msdos / bios or uefi")
    sizes: list[tuple[str, int]] = []
    if layout.boot_mode == "uefi":
        sizes.append(("esp", layout.esp_mb))
    elif layout.label == "gpt":
        sizes.append(("bios_grub", 1))
    if layout.ephemeral_mb:
        sizes.append(("ephemeral", layout.ephemeral_mb))
    if layout.swap_mb:
        sizes.append(("swap", layout.swap_mb))
    if layout.configdrive:
        need = -(-configdrive_size // MiB)
        sizes.append(("configdrive", max(layout.configdrive_mb or CONFIGDRIVE_MIN_MB, need)))
    if layout.label == "msdos" and len(sizes) + 1 > 4:
        raise bad(f"{len(sizes) + 1} partitions do not fit an MBR (4 primary); use gpt")
    end = (disk_size // MiB - 1) * MiB  # the last MiB holds the backup GPT
    parts, offset = [], MiB
    for number, (role, mb) in enumerate(sizes, start=1):
        parts.append(Part(number, role, offset, mb * MiB))
        offset += mb * MiB
    root = layout.root_mb * MiB if layout.root_mb else end - offset
    if root <= 0 or offset + root > end:
        raise bad(f"partitions need {(offset + max(root, MiB)) // MiB} MiB but the disk has "
                  f"{disk_size // MiB} MiB")
    parts.append(Part(len(parts) + 1, "root", offset, root))
    return parts


def _run(argv: list[str], timeout: float = 600.0) -> None:
    try:
        command.run_checked(argv, timeout)
    except CommandFailed as exc:
        raise PartitionLayoutError(node="?", reason=str(exc)) from None


def parted_commands(layout: Layout, parts: list[Part]) -> list[str]:
    """The ``parted -s -a none DISK ...`` script that creates the label and ``parts``."""
    script = ["mklabel", layout.label]
    fs = {"esp": "fat32", "swap": "linux-swap", "ephemeral": "ext2"}
    for part in parts:
        name = part.role if layout.label == "gpt" else "primary"
        script += ["mkpart", name, fs.get(part.role, "ext2"), f"{part.start}B",
                   f"{part.start + part.size - 1}B"]
        if part.role == "esp":
            script += ["set", str(part.number), "esp", "on"]
        elif part.role == "bios_grub":
            script += ["set", str(part.number), "bios_grub", "on"]
        elif part.role == "root" and layout.label == "msdos" and layout.boot_mode == "bios":
            script += ["set", str(part.number), "boot", "on"]
    return script


def _copy_in(src: Path | str, fmt: str, disk: Path, part: Part) -> None:
    """Copy an image (``fmt``) into ``part`` of ``disk`` with qemu-img."""
    _run(["qemu-img", "convert", "-n", "-f", fmt, "--target-image-opts", str(src),
          f"driver=raw,offset={part.start},size={part.size},file.driver=file,"
          f"file.filename={disk}"])


def _make_fs(tmp: Path, part: Part, layout: Layout) -> Path:
    path = tmp / f"{part.role}.img"
    with open(path, "wb") as f:
        f.truncate(part.size)
    if part.role == "esp":
        _run(["mkfs.vfat", "-F", "32", "-n", "EFI-SYSTEM", str(path)])
    elif part.role == "swap":
        _run(["mkswap", "-L", "swap1", str(path)])
    else:
        _run([f"mkfs.{layout.ephemeral_format}", *(["-F"] if "ext" in
              layout.ephemeral_format else []), "-L", EPHEMERAL_LABEL, str(path)])
    return path


def build(disk: Path, disk_size: int, layout: Layout, root_image: Path | str,
          info: image_info.ImageInfo, configdrive: Path | None = None,
          node: str = "?") -> list[Part]:
    """Create ``disk`` (sparse, ``disk_size`` bytes) holding the whole layout.

    :raises ImageTooLarge: the root image exceeds its partition.
    :raises PartitionLayoutError: the layout does not fit, or a tool failed.
    """
    cd_size = os.path.getsize(configdrive) if configdrive else 0
    if layout.configdrive and configdrive is None:
        raise PartitionLayoutError(node=node, reason="a config drive partition needs "
                                                     "a config drive image")
    parts = plan(layout, disk_size, cd_size, node)
    root = parts[-1]
    if info.virtual_size > root.size:
        raise ImageTooLarge(image=str(root_image), needed=info.virtual_size,
                            available=root.size, device=f"root partition {root.number}",
                            node=node)
    with open(disk, "wb") as f:
        f.truncate(disk_size)
    _run(["parted", "-s", "-a", "none", str(disk), *parted_commands(layout, parts)])
    with tempfile.TemporaryDirectory(prefix="tripleo-parts-", dir=disk.parent) as tmp:
        for part in parts:
            if part.role in ("esp", "swap", "ephemeral"):
                _copy_in(_make_fs(Path(tmp), part, layout), "raw", disk, part)
            elif part.role == "configdrive" and configdrive is not None:
                _copy_in(configdrive, "raw", disk, part)
    _copy_in(root_image, info.format, disk, root)
    node_log(LOG, node).info("disk laid out: %s", ", ".join(
        f"{p.number}:{p.role}@{p.start // MiB}MiB+{p.size // MiB}MiB" for p in parts))
    return parts
