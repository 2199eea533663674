"""The build's host commands: its tools checked first, run by the agent's runner.

``run`` is ``ramdisk.command`` (the one runner of the ramdisk deliverable) with the
build's long default timeout and its ``CommandFailed`` (a ``BuildError``), which names
only the program: an ``mmdebstrap`` argv lists every package.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from ramdisk import command
from ramdisk.image.exception import CommandFailed, MissingTool

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

    :raises CommandFailed: naming the program, how it ended and its stderr's tail
        (also when it was killed at ``timeout`` or could not start).
    """
    return command.check(command.run(argv, timeout, cwd=cwd), shown=list(argv)[:1],
                         failure=CommandFailed)
