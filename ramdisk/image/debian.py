"""The cached Debian base: a slim root file system with kernel modules, and the kernel.

``ensure_base`` returns the base for a spec and kernel version, building it under a
lock the first time: ``mmdebstrap`` the packages, slim the tree, fetch the kernel
package (``apt-get download`` + ``dpkg-deb -x``), copy the listed modules with their
dependencies and run ``depmod``, then pack the tree. Nothing is left half-built: the
base is assembled in a temporary directory and renamed into the cache.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import logging
import re
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from ramdisk.image import archive, spec
from ramdisk.image.command import require, run
from ramdisk.image.exception import CommandFailed, KernelNotFound, MirrorUnreachable, UnknownPackage

LOG = logging.getLogger(__name__)
META = "base.json"


@dataclasses.dataclass
class Base:
    """A cached base: ``rootfs`` (kept for inspection and tests), ``kernel``, ``archive``."""

    path: Path
    kernel_version: str
    built_seconds: float = 0.0
    reused: bool = False

    @property
    def rootfs(self) -> Path:
        return self.path / "rootfs"

    @property
    def kernel(self) -> Path:
        return self.path / "vmlinuz"

    @property
    def archive(self) -> Path:
        return self.path / "base.cpio"


def default_kernel_version() -> str:
    """The kernel release ``linux-image-amd64`` depends on in the host's apt sources.

    :raises KernelNotFound:
    """
    out = run(["apt-cache", "depends", "linux-image-amd64"])
    found = re.search(r"Depends:\s*linux-image-(\S+)", out)
    if not found:
        raise KernelNotFound(version="linux-image-amd64",
                             reason="apt-cache knows no dependency (run apt-get update)")
    return found.group(1)


def check_mirror(build: spec.BuildSpec, timeout: float = 15.0) -> None:
    """:raises MirrorUnreachable: when the suite's Release file cannot be fetched."""
    url = f"{build.mirror.rstrip('/')}/dists/{build.suite}/Release"
    try:
        request = urllib.request.Request(url, method="HEAD")  # noqa: S310 - mirror URL
        with urllib.request.urlopen(request, timeout=timeout):  # noqa: S310
            pass
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise MirrorUnreachable(mirror=build.mirror, reason=f"{url}: {exc}") from exc


def ensure_base(build: spec.BuildSpec, kernel_version: str, cache_dir: Path) -> Base:
    """Return the cached base for ``build`` and ``kernel_version``, building it if needed."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"base-{build.base_key(kernel_version)}"
    with open(cache_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (path / META).exists():
            meta = json.loads((path / META).read_text())
            return Base(path, kernel_version, meta.get("built_seconds", 0.0), reused=True)
        started = time.monotonic()
        tmp = Path(tempfile.mkdtemp(prefix=".base-", dir=cache_dir))
        tmp.chmod(0o755)
        try:
            _build_base(build, kernel_version, tmp)
            seconds = round(time.monotonic() - started, 1)
            (tmp / META).write_text(json.dumps({
                "kernel_version": kernel_version, "packages": list(build.packages),
                "compression": build.compression, "built_seconds": seconds}, indent=2))
            tmp.rename(path)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return Base(path, kernel_version, seconds)


def _build_base(build: spec.BuildSpec, kernel_version: str, work: Path) -> None:
    require("mmdebstrap", "apt-get", "dpkg-deb", "depmod", "modprobe", "cpio",
            archive.COMPRESSORS[build.compression][0])
    check_mirror(build)
    rootfs = work / "rootfs"
    LOG.info("mmdebstrap %s with %d packages", build.suite, len(build.packages))
    excludes = [f"--dpkgopt=path-exclude=/{p}/*" for p in
                ("usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale")]
    try:
        run(["mmdebstrap", "--variant=essential", "--mode=root", "--format=directory",
             f"--include={','.join(build.packages)}", *excludes, build.suite, str(rootfs),
             *build.sources()])
    except CommandFailed as exc:
        missing = re.findall(r"Unable to locate package (\S+)", str(exc))
        missing += re.findall(r"Package '?([^' ]+)'? has no installation candidate", str(exc))
        if missing:
            raise UnknownPackage(packages=", ".join(sorted(set(missing))),
                                 mirror=build.mirror, suite=build.suite) from exc
        raise
    slim(rootfs)
    _kernel(kernel_version, work, rootfs)
    archive.pack(rootfs, work / "base.cpio", build.compression)


def slim(rootfs: Path) -> None:
    """Remove what the agent never uses (docs, perl, Python's tests, legacy charsets)."""
    for rel in spec.SLIM_PATHS:
        target = rootfs / rel
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.is_dir():
            shutil.rmtree(target)
    gconv = rootfs / "usr/lib/x86_64-linux-gnu/gconv"
    if gconv.is_dir():
        for entry in gconv.iterdir():
            if entry.name not in spec.GCONV_KEEP:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def _kernel(version: str, work: Path, rootfs: Path) -> None:
    """Put ``vmlinuz`` in ``work`` and the listed modules (and dependencies) in ``rootfs``."""
    debs = work / "debs"
    debs.mkdir()
    package = f"linux-image-{version}"
    try:
        run(["apt-get", "download", "-q", package], cwd=debs)
    except CommandFailed as exc:
        raise KernelNotFound(version=version, reason=f"apt-get download {package}: {exc}") \
            from exc
    unpacked = work / "kernel"
    run(["dpkg-deb", "-x", str(next(debs.glob("*.deb"))), str(unpacked)])
    shutil.rmtree(debs)
    shutil.copy2(unpacked / "boot" / f"vmlinuz-{version}", work / "vmlinuz")
    modroot = unpacked if (unpacked / "lib/modules").is_dir() else unpacked / "usr"
    source = modroot / "lib/modules" / version
    run(["depmod", "-b", str(modroot), version])
    wanted: set[str] = set()
    for module in spec.MODULES:
        try:
            out = run(["modprobe", "-d", str(modroot), "-S", version, "--show-depends",
                       module])
        except CommandFailed:
            LOG.warning("kernel %s has no module %s; skipped", version, module)
            continue
        wanted.update(m.group(1) for m in re.finditer(r"^insmod (\S+)", out, re.M))
    dest = rootfs / "usr/lib/modules" / version
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("modules.order", "modules.builtin", "modules.builtin.modinfo"):
        if (source / name).exists():
            shutil.copy2(source / name, dest / name)
    for ko in wanted:
        rel = Path(ko).relative_to(source)
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ko, dest / rel)
    run(["depmod", "-b", str(rootfs), version])
    LOG.info("kernel %s: %d modules", version, len(wanted))
    shutil.rmtree(unpacked)
