"""Field paths of rule conditions: ``node://properties.cpus``, ``data://inventory.cpu.count``.

A path is dot-separated; ``[N]`` picks a list item and ``[*]`` every item, so one
path can name several values. A bare path means ``data://``.
"""

import re
from typing import Any

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\*|\d+)\]")


def parse(field: str) -> tuple[str, list[str | int]]:
    """Split ``field`` into its source (``node`` or ``data``) and path segments.

    :raises ValueError: naming the field when it cannot be parsed.
    """
    if not isinstance(field, str) or not field.strip():
        raise ValueError("a condition needs a non-empty string 'field'")
    source, sep, path = field.partition("://")
    if not sep:
        source, path = "data", field
    if source not in ("node", "data"):
        raise ValueError(f"field {field!r}: the prefix must be node:// or data://")
    segments: list[str | int] = []
    pos = 0
    path = path.strip()
    while pos < len(path):
        if path[pos] == ".":
            pos += 1
            continue
        match = _SEGMENT.match(path, pos)
        if not match:
            raise ValueError(f"field {field!r}: cannot parse at {path[pos:]!r}")
        name, index = match.groups()
        segments.append(name if name is not None else ("*" if index == "*" else int(index)))
        pos = match.end()
    if not segments:
        raise ValueError(f"field {field!r} names nothing")
    return source, segments


def resolve(root: Any, segments: list[str | int]) -> list[Any]:
    """Return every value at ``segments`` under ``root`` (empty when absent)."""
    values = [root]
    for seg in segments:
        found = []
        for value in values:
            if seg == "*" and isinstance(value, list):
                found.extend(value)
            elif isinstance(seg, int) and isinstance(value, list) and seg < len(value):
                found.append(value[seg])
            elif isinstance(seg, str) and seg != "*" and isinstance(value, dict) \
                    and seg in value:
                found.append(value[seg])
        values = found
    return values
