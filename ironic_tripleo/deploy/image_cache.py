"""A content-addressed local image cache shared by concurrent deploys.

Images are stored as ``<root>/<algo>-<hex>`` (the expected checksum is the address),
so two nodes deploying the same image share one download even from different hrefs.
Each entry has a lock file ``<name>.lock`` taken with ``flock``: exclusive while the
image is downloaded and verified, shared while a deploy reads it. Locks work across
threads (each opens its own file description) and across conductor processes.

An image is verified BEFORE it is published in the cache: a bad download never
becomes visible, so nothing unverified is ever written to a disk. After each download
the cache is trimmed to ``max_bytes`` by removing the least recently used entries that
nobody is reading.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ironic_tripleo.deploy import checksum
from ironic_tripleo.deploy.image_source import ImageSource

LOG = logging.getLogger(__name__)
LOCK_SUFFIX = ".lock"
PARTIAL_PREFIX = ".partial-"


class ImageCache:
    """The cache in ``root``, trimmed to ``max_bytes`` after each download.

    :param root: cache directory (created when missing).
    :param max_bytes: size kept after a download; entries in use are never removed.
    """

    def __init__(self, root: Path | str, max_bytes: int) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.root.mkdir(parents=True, exist_ok=True)
        self.downloads = 0  # how many fetches this object did (for tests and logs)

    def path_of(self, expected: checksum.Expected) -> Path:
        return self.root / expected.key

    @contextlib.contextmanager
    def image(self, source: ImageSource, expected: checksum.Expected) -> Iterator[Path]:
        """Yield the local path of a verified copy of ``source``; it stays while in use.

        :raises ImageSourceError: the download failed.
        :raises ImageChecksumMismatch: the download does not match ``expected``.
        """
        path = self.path_of(expected)
        lock = path.with_name(path.name + LOCK_SUFFIX)
        while True:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                if path.exists():
                    LOG.info("image %s found in the cache as %s", source.href, path.name)
                    os.utime(path)
                else:
                    self._download(source, expected, path)
                # flock conversion is not atomic: a trim may slip in, hence the re-check
                fcntl.flock(fd, fcntl.LOCK_SH)
            except BaseException:
                os.close(fd)
                raise
            if path.exists():
                break
            os.close(fd)
        try:
            self.trim(keep=path)
            yield path
        finally:
            os.close(fd)

    def _download(self, source: ImageSource, expected: checksum.Expected, path: Path) -> None:
        fd, tmp = tempfile.mkstemp(prefix=PARTIAL_PREFIX, dir=self.root)
        os.close(fd)
        try:
            LOG.info("downloading image %s", source.href)
            source.fetch(Path(tmp))
            checksum.verify(source.href, tmp, expected)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
            self.downloads += 1
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def entries(self) -> list[Path]:
        """Published images, least recently used first."""
        found = [p for p in self.root.iterdir()
                 if p.is_file() and not p.name.endswith(LOCK_SUFFIX)
                 and not p.name.startswith(PARTIAL_PREFIX)]
        return sorted(found, key=lambda p: p.stat().st_mtime)

    def trim(self, keep: Path | None = None) -> list[Path]:
        """Remove unused least recently used images until the cache fits; return them."""
        entries = self.entries()
        total = sum(p.stat().st_size for p in entries)
        removed = []
        for path in entries:
            if total <= self.max_bytes:
                break
            if path == keep:
                continue
            lock = path.with_name(path.name + LOCK_SUFFIX)
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue  # someone is reading or downloading it
            try:
                size = path.stat().st_size
                path.unlink()
                total -= size
                removed.append(path)
                LOG.info("image cache: removed %s (%d bytes)", path.name, size)
            except FileNotFoundError:
                pass
            finally:
                os.close(fd)
        return removed
