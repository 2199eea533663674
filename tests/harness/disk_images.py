"""Small disk images made with the real tools, for deploy tests."""

import subprocess
from pathlib import Path

MiB = 1024 * 1024


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, timeout=60)


def sparse(path: Path, size: int) -> Path:
    """An all-zero sparse file of ``size`` bytes."""
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def mbr_disk(path: Path, size: int, signature: int) -> Path:
    """A raw disk with an msdos label (one partition) and MBR disk ``signature``."""
    sparse(path, size)
    _run("parted", "-s", str(path), "mklabel", "msdos", "mkpart", "primary", "1MiB", "100%")
    with open(path, "r+b") as f:  # parted picks a random signature; set a known one
        f.seek(440)
        f.write(signature.to_bytes(4, "little"))
    return path


def ext4(path: Path, size: int, uuid: str) -> Path:
    """A raw ext4 file system image of ``size`` bytes with file system ``uuid``."""
    sparse(path, size)
    _run("mkfs.ext4", "-q", "-F", "-U", uuid, str(path))
    return path


def to_qcow2(raw: Path, qcow2: Path) -> Path:
    """``raw`` converted to qcow2 at ``qcow2``."""
    _run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", str(raw), str(qcow2))
    return qcow2
