"""What an image is, from ``qemu-img info --output json``, and whether it may be written.

Untrusted images are inspected by ``qemu-img info`` under address-space and CPU limits
(``prlimit``). Refused: formats not permitted, backing files (they could make qemu-img
read any file of the conductor), qcow2 external data files, and images larger than
the target disk.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

from ironic_tripleo import command
from ironic_tripleo.exception import ImageTooLarge, UnsafeImage

DEFAULT_PERMITTED = ("raw", "qcow2")


@dataclasses.dataclass(frozen=True)
class ImageInfo:
    """``format`` as qemu-img names it; sizes in bytes."""

    format: str
    virtual_size: int
    actual_size: int | None = None
    backing_file: str | None = None
    data_file: str | None = None


def parse(text: str) -> ImageInfo:
    """Return the ``ImageInfo`` of a ``qemu-img info --output json`` answer."""
    data = json.loads(text)
    specific = (data.get("format-specific") or {}).get("data") or {}
    return ImageInfo(format=data["format"], virtual_size=int(data["virtual-size"]),
                     actual_size=data.get("actual-size"),
                     backing_file=data.get("backing-filename") or data.get("full-backing-filename"),
                     data_file=specific.get("data-file"))


def inspect(path: Path | str, memory_limit_mb: int = 1024, cpu_seconds: int = 30,
            image: str | None = None) -> ImageInfo:
    """Run ``qemu-img info`` on ``path`` under limits.

    :raises UnsafeImage: qemu-img cannot read it (not an image, or over the limits).
    """
    argv = ["qemu-img", "info", "--output", "json", str(path)]
    if shutil.which("prlimit"):
        argv = ["prlimit", f"--as={memory_limit_mb * 1024 * 1024}",
                f"--cpu={cpu_seconds}", "--", *argv]
    result = command.run(argv, timeout=cpu_seconds * 2)
    if result.returncode != 0:
        raise UnsafeImage(image=image or path, allowed="-",
                          reason=f"qemu-img info failed: {command.tail(result)}")
    return parse(result.stdout)


def check_safe(info: ImageInfo, image: str,
               permitted: Sequence[str] = DEFAULT_PERMITTED) -> None:
    """:raises UnsafeImage: format not permitted, a backing file or a data file."""
    allowed = ", ".join(permitted)
    if info.format not in permitted:
        raise UnsafeImage(image=image, allowed=allowed,
                          reason=f"format {info.format!r} is not permitted")
    if info.backing_file:
        raise UnsafeImage(image=image, allowed=allowed,
                          reason=f"it has a backing file {info.backing_file!r}")
    if info.data_file:
        raise UnsafeImage(image=image, allowed=allowed,
                          reason=f"it has an external data file {info.data_file!r}")


def check_fits(info: ImageInfo, image: str, disk_size: int, device: str = "?",
               node: str = "?") -> None:
    """:raises ImageTooLarge: naming both sizes, when the image exceeds the disk."""
    if info.virtual_size > disk_size:
        raise ImageTooLarge(image=image, needed=info.virtual_size, available=disk_size,
                            device=device, node=node)
