"""The agent's own log, kept in memory and shipped in the payload's ``logs`` field.

Ironic stores ``logs`` as a gzipped tarball (base64), like IPA's; discoverd does the
same. The capture is bounded so a chatty collector cannot exhaust a small ramdisk.
"""

from __future__ import annotations

import base64
import collections
import io
import logging
import tarfile
import time

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
ARCHIVE_NAME = "ironic-tripleo-ramdisk.log"


class LogCapture(logging.Handler):
    """A logging handler that keeps the last ``max_lines`` formatted records."""

    def __init__(self, max_lines: int = 20000, level: int = logging.DEBUG) -> None:
        super().__init__(level)
        self.lines: collections.deque[str] = collections.deque(maxlen=max_lines)
        self.setFormatter(logging.Formatter(LOG_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # noqa: BLE001 - logging must never raise
            self.handleError(record)

    def text(self) -> str:
        """Return everything captured so far, one record per line."""
        return "\n".join(self.lines) + ("\n" if self.lines else "")

    def install(self, logger: logging.Logger | None = None) -> LogCapture:
        """Attach to ``logger`` (the root logger by default) and return self."""
        target = logger or logging.getLogger()
        target.addHandler(self)
        if target.level > self.level or target.level == logging.NOTSET:
            target.setLevel(self.level)
        return self

    def remove(self, logger: logging.Logger | None = None) -> None:
        """Detach from ``logger`` (the root logger by default)."""
        (logger or logging.getLogger()).removeHandler(self)


def archive(files: dict[str, str]) -> str:
    """Return base64 of a gzipped tarball holding ``files`` (name -> text)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text in files.items():
            data = text.encode("utf-8", errors="replace")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = int(time.time())
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def unpack(logs: str) -> dict[str, str]:
    """Return ``{name: text}`` from a ``logs`` field made by ``archive`` (for tests, tools)."""
    result = {}
    with tarfile.open(fileobj=io.BytesIO(base64.b64decode(logs)), mode="r:gz") as tar:
        for member in tar.getmembers():
            f = tar.extractfile(member)
            if f is not None:
                result[member.name] = f.read().decode("utf-8", errors="replace")
    return result
