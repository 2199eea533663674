"""Root device selection by Ironic's root device hints over the inventory's disk list.

Hints are ``properties.root_device`` of the node: ``size`` (GiB, an int or a string
with an operator: ``">= 20"``), ``name`` (``/dev/sda`` or ``sda``), ``serial``,
``wwn``, ``wwn_with_extension``, ``wwn_vendor_extension``, ``model``, ``vendor``
(case-insensitive, blanks and underscores alike), ``by_path``, ``hctl`` and
``rotational`` (bool). All given hints must match. Without hints the smallest disk of
at least 4 GiB is chosen, as ironic-python-agent does.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping, Sequence

from ramdisk.deploy.exception import InvalidRootDeviceHints, NoRootDevice

GiB = 1024 ** 3
MIN_ROOT_SIZE = 4 * GiB
STRING_HINTS = ("serial", "wwn", "wwn_with_extension", "wwn_vendor_extension", "by_path",
                "hctl")
FUZZY_HINTS = ("model", "vendor")
KNOWN_HINTS = ("size", "name", "rotational", *STRING_HINTS, *FUZZY_HINTS)
_OPS: dict[str, Callable[[int, int], bool]] = {
    "==": operator.eq, "!=": operator.ne, ">=": operator.ge, "<=": operator.le,
    ">": operator.gt, "<": operator.lt,
}
_SIZE_RE = re.compile(r"^\s*(==|!=|>=|<=|>|<)?\s*(\d+)\s*$")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _fuzzy(value: object) -> str:
    return " ".join(str(value).replace("_", " ").split()).lower()


def _size_test(value: object) -> Callable[[int], bool]:
    match = _SIZE_RE.match(str(value))
    if not match or isinstance(value, bool):
        raise InvalidRootDeviceHints(name="size", value=value,
                                     allowed="GiB as an int, optionally after ==, !=, "
                                             ">=, <=, > or <")
    op, gib = _OPS[match.group(1) or "=="], int(match.group(2))
    return lambda size_bytes: op(size_bytes // GiB, gib)


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise InvalidRootDeviceHints(name="rotational", value=value, allowed="true or false")


def compile_hints(hints: Mapping[str, object] | None) -> Callable[[Mapping], bool]:
    """Return a predicate over inventory disk records that is true when all hints match.

    :raises InvalidRootDeviceHints: an unknown hint or a malformed value.
    """
    tests: list[Callable[[Mapping], bool]] = []
    for name, value in (hints or {}).items():
        if name not in KNOWN_HINTS:
            raise InvalidRootDeviceHints(name=name, value=value,
                                         allowed=f"known hints are {', '.join(KNOWN_HINTS)}")
        if name == "size":
            size_ok = _size_test(value)
            tests.append(lambda d, ok=size_ok: ok(int(d.get("size") or 0)))
        elif name == "name":
            want = str(value) if str(value).startswith("/") else f"/dev/{value}"
            tests.append(lambda d, w=want: d.get("name") == w)
        elif name == "rotational":
            flag = _bool(value)
            tests.append(lambda d, f=flag: bool(d.get("rotational")) is f)
        elif name in FUZZY_HINTS:
            wanted = _fuzzy(value)
            tests.append(lambda d, n=name, w=wanted: _fuzzy(d.get(n) or "") == w)
        else:
            wanted = str(value)
            tests.append(lambda d, n=name, w=wanted: str(d.get(n) or "") == w)
    return lambda disk: all(test(disk) for test in tests)


def select(disks: Sequence[Mapping], hints: Mapping[str, object] | None = None,
           min_size: int = MIN_ROOT_SIZE) -> Mapping:
    """Return the root disk among ``disks`` (inventory records).

    With hints, the first matching disk in name order; without, the smallest disk of
    at least ``min_size`` bytes.

    :raises NoRootDevice: nothing matches (the message lists the disks seen).
    :raises InvalidRootDeviceHints: see ``compile_hints``.
    """
    ordered = sorted(disks, key=lambda d: str(d.get("name")))
    if hints:
        matches = compile_hints(hints)
        found = [d for d in ordered if matches(d)]
    else:
        found = sorted((d for d in ordered if int(d.get("size") or 0) >= min_size),
                       key=lambda d: int(d.get("size") or 0))
    if not found:
        seen = ", ".join(f"{d.get('name')} ({int(d.get('size') or 0) // GiB} GiB, "
                         f"serial {d.get('serial')})" for d in ordered) or "no disks"
        raise NoRootDevice(hints=dict(hints or {"size": f">= {min_size // GiB}"}), disks=seen)
    return found[0]
