"""Reading attribute files of one device under /sys."""

from __future__ import annotations

import os
from collections.abc import Mapping


def read_files(directory: str, files: Mapping[str, str]) -> dict[str, str]:
    """Return ``{key: stripped content}`` for each readable ``files[key]`` in ``directory``.

    Unreadable files are left out: many attributes raise (EINVAL on a down NIC's
    ``speed``) or are missing on some devices.
    """
    values: dict[str, str] = {}
    for key, rel in files.items():
        try:
            with open(os.path.join(directory, rel), encoding="utf-8", errors="replace") as f:
                values[key] = f.read().strip()
        except OSError:
            continue
    return values
