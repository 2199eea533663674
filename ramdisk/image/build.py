"""Put a bootable kernel + initramfs together: cached base + agent layer, atomically.

``build`` writes ``OUTPUT/ironic-tripleo.kernel`` and ``OUTPUT/ironic-tripleo.initramfs``
(and ``build.json``) into a temporary directory next to ``OUTPUT`` and renames it at
the end: a failed build leaves no output, and an existing one untouched.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from ramdisk.image import archive, debian, layer, spec
from ramdisk.image.command import require
from ramdisk.image.exception import BuildError, NotRoot

LOG = logging.getLogger(__name__)
KERNEL = "ironic-tripleo.kernel"
INITRAMFS = "ironic-tripleo.initramfs"
INFO = "build.json"


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/ironic-tripleo/ramdisk`` (``~/.cache/...`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ironic-tripleo" / "ramdisk"


@dataclasses.dataclass
class BuildResult:
    output: Path
    kernel_version: str
    base: Path
    base_reused: bool
    seconds: float
    files: dict[str, dict[str, object]]

    @property
    def kernel(self) -> Path:
        return self.output / KERNEL

    @property
    def initramfs(self) -> Path:
        return self.output / INITRAMFS


def check_root() -> None:
    """:raises NotRoot:"""
    if os.geteuid() != 0:
        raise NotRoot(uid=os.geteuid())


def build(build_spec: spec.BuildSpec, output: Path, cache_dir: Path | None = None
          ) -> BuildResult:
    """Build the image into ``output``; see the module docstring.

    :raises BuildError: (NotRoot, MissingTool, MirrorUnreachable, UnknownPackage,
        KernelNotFound, CommandFailed) naming the cause; ``output`` is then untouched.
    """
    started = time.monotonic()
    check_root()
    if build_spec.compression not in spec.COMPRESSIONS:
        raise BuildError(reason=f"compression {build_spec.compression!r} is not one of "
                                f"{', '.join(spec.COMPRESSIONS)}")
    require("cpio", archive.COMPRESSORS[build_spec.compression][0])
    cache_dir = cache_dir or default_cache_dir()
    output = output.absolute()
    output.parent.mkdir(parents=True, exist_ok=True)
    if build_spec.kernel_version:
        kernel_version = build_spec.kernel_version
    else:
        require("apt-cache")
        kernel_version = debian.default_kernel_version()
    base = debian.ensure_base(build_spec, kernel_version, cache_dir)
    LOG.info("base %s (%s)", base.path.name, "cached" if base.reused else
             f"built in {base.built_seconds:.0f}s")
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        stage = tmp / "layer"
        info = {"kernel_version": kernel_version, "base": base.path.name,
                "packages": list(build_spec.packages), "compression": build_spec.compression,
                "built_at": datetime.datetime.now(datetime.UTC).isoformat(
                    timespec="seconds")}
        layer.stage(stage, layer.hardware_wheel(cache_dir), info)
        agent = archive.pack(stage, tmp / "agent.cpio", build_spec.compression,
                             owner_root=True)
        shutil.rmtree(stage)
        archive.concatenate([base.archive, agent], tmp / INITRAMFS)
        agent.unlink()
        shutil.copy2(base.kernel, tmp / KERNEL)
        files = {name: {"bytes": (tmp / name).stat().st_size,
                        "sha256": archive.sha256(tmp / name)} for name in (KERNEL, INITRAMFS)}
        (tmp / INFO).write_text(json.dumps({**info, "files": files}, indent=2) + "\n")
        tmp.chmod(0o755)  # mkdtemp's 0700: TFTP and HTTP servers read it as other users
        _replace(tmp, output)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return BuildResult(output, kernel_version, base.path, base.reused,
                       round(time.monotonic() - started, 1), files)


def _replace(new: Path, output: Path) -> None:
    """Rename ``new`` to ``output``; an existing ``output`` is swapped out first."""
    old = None
    if output.exists():
        old = output.with_name(f".{output.name}.old-{os.getpid()}")
        output.rename(old)
    new.rename(output)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
