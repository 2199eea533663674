"""cpio (newc) archives of a directory, compressed the way the kernel unpacks them."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from ramdisk.image.exception import CommandFailed

# xz: the kernel's decompressor only knows the crc32 check
COMPRESSORS = {"zstd": ["zstd", "-q", "-9", "-T0", "-c"],
               "gzip": ["gzip", "-6", "-c"],
               "xz": ["xz", "-q", "-6", "-T0", "--check=crc32", "-c"]}


def pack(root: Path, out: Path, compression: str, owner_root: bool = False) -> Path:
    """Write ``root``'s tree to ``out`` as a compressed newc cpio archive.

    :param owner_root: record every file as owned by root (a layer staged by anyone).
    :raises CommandFailed: when find, cpio or the compressor fails.
    """
    names = sorted(str(p.relative_to(root)) for p in _walk(root))
    cpio = ["cpio", "--quiet", "-o", "-H", "newc", "--null", "--reproducible"]
    if owner_root:
        cpio += ["-R", "0:0"]
    with open(out, "wb") as sink:
        pack_proc = subprocess.Popen(cpio, cwd=root, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        comp = subprocess.Popen(COMPRESSORS[compression], stdin=pack_proc.stdout, stdout=sink,
                                stderr=subprocess.PIPE)
        pack_proc.stdout.close()  # type: ignore[union-attr]
        pack_proc.stdin.write(b"\0".join(n.encode() for n in names) + b"\0")  # type: ignore[union-attr]
        pack_proc.stdin.close()  # type: ignore[union-attr]
        comp_err = comp.communicate()[1]
        pack_err = pack_proc.stderr.read()  # type: ignore[union-attr]
        pack_proc.wait()
    for name, proc, err in (("cpio", pack_proc, pack_err), (compression, comp, comp_err)):
        if proc.returncode != 0:
            raise CommandFailed(command=name, outcome=f"exited {proc.returncode}",
                                tail=err.decode(errors="replace").strip()[-400:])
    return out


def _walk(root: Path):
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        if base != root:
            yield base
        for name in filenames:
            yield base / name
        for name in dirnames:
            if (base / name).is_symlink():
                yield base / name


def concatenate(parts: list[Path], out: Path) -> None:
    """Write the archives one after the other (the kernel unpacks each in turn)."""
    with open(out, "wb") as sink:
        for part in parts:
            with open(part, "rb") as source:
                while chunk := source.read(1 << 20):
                    sink.write(chunk)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
