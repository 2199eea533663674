"""The one way the build runs a host command: logged, checked, errors naming the tail."""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from ramdisk.image.exception import CommandFailed, MissingTool

LOG = logging.getLogger(__name__)

# command -> Debian package that provides it
TOOLS = {"mmdebstrap": "mmdebstrap", "cpio": "cpio", "zstd": "zstd", "gzip": "gzip",
         "xz": "xz-utils", "depmod": "kmod", "modprobe": "kmod", "dpkg-deb": "dpkg",
         "apt-get": "apt", "apt-cache": "apt"}


def require(*tools: str) -> None:
    """:raises MissingTool: naming the first missing tool and its package."""
    for tool in tools:
        if not (shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin")):
            raise MissingTool(tool=tool, package=TOOLS.get(tool, tool))


def run(argv: Sequence[str], cwd: Path | None = None, timeout: float = 1800) -> str:
    """Run ``argv``; return its stdout.

    :raises CommandFailed: with the last lines of its stderr.
    """
    LOG.debug("running %s", " ".join(argv))
    result = subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True,
                            timeout=timeout, check=False, errors="replace")
    if result.returncode != 0:
        tail = " | ".join((result.stderr or result.stdout).strip().splitlines()[-6:])
        raise CommandFailed(command=argv[0], code=result.returncode, tail=tail)
    return result.stdout
