"""Image checksums: what instance_info promises and streaming verification.

``image_os_hash_algo`` + ``image_os_hash_value`` (Glance's multihash) win over
``image_checksum``, which may be ``algo:hex`` or a bare hex digest whose length names
the algorithm (md5 only when allowed).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
from collections.abc import Mapping
from pathlib import Path

from ironic_tripleo.exception import ImageChecksumMismatch, ImageChecksumMissing

ALGORITHMS = ("md5", "sha256", "sha512")
_BY_LENGTH = {32: "md5", 64: "sha256", 128: "sha512"}
_HEX = re.compile(r"^[0-9a-f]+$")
CHUNK = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Expected:
    """An expected digest: ``algo`` in ``ALGORITHMS``, ``value`` lowercase hex."""

    algo: str
    value: str

    @property
    def key(self) -> str:
        """A file-name-safe identity of the content: ``sha256-<hex>``."""
        return f"{self.algo}-{self.value}"


def _parse(image: str, algo: str, value: str, allow_md5: bool) -> Expected:
    algo, value = algo.strip().lower(), value.strip().lower()
    allowed = [a for a in ALGORITHMS if allow_md5 or a != "md5"]
    if algo not in allowed or not _HEX.match(value) or _BY_LENGTH.get(len(value)) != algo:
        raise ImageChecksumMissing(image=image, allowed=", ".join(allowed))
    return Expected(algo, value)


def from_instance_info(image: str, info: Mapping[str, object],
                       allow_md5: bool = False) -> Expected:
    """Return the expected digest of ``image`` from instance_info (or Glance properties).

    :raises ImageChecksumMissing: nothing usable (naming the algorithms allowed).
    """
    algo, value = info.get("image_os_hash_algo"), info.get("image_os_hash_value")
    if algo and value:
        return _parse(image, str(algo), str(value), allow_md5)
    checksum = str(info.get("image_checksum") or "").strip()
    if ":" in checksum and "://" not in checksum:
        algo, _, value = checksum.partition(":")
        return _parse(image, algo, value, allow_md5)
    if checksum:
        return _parse(image, _BY_LENGTH.get(len(checksum), "?"), checksum, allow_md5)
    raise ImageChecksumMissing(image=image, allowed=", ".join(
        a for a in ALGORITHMS if allow_md5 or a != "md5"))


def file_digest(path: Path | str, algo: str, chunk: int = CHUNK) -> str:
    """Return the hex digest of a file, read in ``chunk``-sized pieces."""
    digest = hashlib.new(algo, usedforsecurity=False) if algo == "md5" else hashlib.new(algo)
    with open(path, "rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def verify(image: str, path: Path | str, expected: Expected) -> None:
    """Check the file at ``path`` against ``expected``.

    :raises ImageChecksumMismatch: naming the algorithm, expected and actual digests.
    """
    actual = file_digest(path, expected.algo)
    if not hmac.compare_digest(actual, expected.value):
        raise ImageChecksumMismatch(image=image, algo=expected.algo,
                                    expected=expected.value, actual=actual)
