"""Rule actions: ``{"action": name, ...params}`` applied to a ``NodeInfo``.

fail{message}, set-attribute{path, value}, set-capability{name, value},
extend-attribute{path, value, unique}, add-trait{name}, remove-trait{name}.

Everything an action writes ends up in a JSON patch to Ironic, so it is checked
against what Ironic accepts when the rule is created, not when every later
payload's patch is refused: paths are JSON pointers below an allowed node field
with segments Ironic's patch schema allows (word characters and ``-``: no ``..``), traits are
Ironic's (``CUSTOM_*`` or a standard ``os-traits`` name), capabilities fit the
``key:value,...`` string.
"""

import re
from typing import Any

import os_traits

from discoverd.exception import RuleFailure
from discoverd.node_info import NodeInfo

#: Node fields rules may write, each a JSON object: a path names a key below one.
WRITABLE_ROOTS = ("driver_info", "extra", "instance_info", "properties")
#: Most segments in a path (a deeper path nests the value deeper in Ironic's patch).
MAX_SEGMENTS = 6
_SEGMENT = re.compile(r"[A-Za-z0-9_-]{1,255}")
_CAPABILITY = re.compile(r"[A-Za-z0-9_.-]{1,255}")
_CUSTOM_TRAIT = re.compile(r"CUSTOM_[A-Z0-9_]{1,248}")


# action -> {param: (types, required)}
PARAMS: dict[str, dict[str, tuple[tuple[type, ...], bool]]] = {
    "fail": {"message": ((str,), True)},
    "set-attribute": {"path": ((str,), True), "value": ((object,), True)},
    "set-capability": {"name": ((str,), True), "value": ((str, int, float, bool), False)},
    "extend-attribute": {"path": ((str,), True), "value": ((object,), True),
                         "unique": ((bool,), False)},
    "add-trait": {"name": ((str,), True)},
    "remove-trait": {"name": ((str,), True)},
}


def validate(action: Any) -> None:
    """Check one action.

    :raises ValueError: saying what is wrong and what is allowed.
    """
    if not isinstance(action, dict):
        raise ValueError(f"an action must be an object, got {action!r}")
    name = action.get("action")
    if not isinstance(name, str) or name not in PARAMS:
        raise ValueError(f"unknown action {name!r}; allowed: {', '.join(sorted(PARAMS))}")
    spec = PARAMS[name]
    unknown = set(action) - set(spec) - {"action"}
    if unknown:
        raise ValueError(f"action {name}: unknown parameters {sorted(unknown)}; "
                         f"allowed: {sorted(spec)}")
    for param, (types, required) in spec.items():
        if param not in action:
            if required:
                raise ValueError(f"action {name} needs parameter {param!r}")
            continue
        if not isinstance(action[param], types):
            raise ValueError(f"action {name}: {param}={action[param]!r} has the wrong type")
    if "path" in spec:
        _check_path(name, action["path"])
    if name == "set-capability":
        _check_capability(action)
    if name in ("add-trait", "remove-trait"):
        _check_trait(name, action["name"])


def _check_path(name: str, path: str) -> None:
    segments = path.split("/")[1:]
    allowed = (f"allowed: /<field>/<key>[/<key>...] with <field> one of "
               f"{', '.join(WRITABLE_ROOTS)}, at most {MAX_SEGMENTS} segments of "
               f"letters, digits, '_' and '-'")
    if (not path.startswith("/") or len(segments) > MAX_SEGMENTS
            or not all(_SEGMENT.fullmatch(s) for s in segments)):
        raise ValueError(f"action {name}: path {path!r} is not a node field path; "
                         f"{allowed}, e.g. /extra/role")
    if segments[0] not in WRITABLE_ROOTS:
        raise ValueError(f"action {name}: path {path!r} cannot be changed by rules; "
                         f"{allowed}")
    if len(segments) < 2:
        raise ValueError(f"action {name}: path {path!r} must name a key below "
                         f"/{segments[0]}, e.g. /{segments[0]}/role")


def _check_capability(action: dict[str, Any]) -> None:
    value = str(action.get("value", "true"))
    if not _CAPABILITY.fullmatch(action["name"]) or not _CAPABILITY.fullmatch(value):
        raise ValueError(f"action set-capability: name {action['name']!r} and value "
                         f"{value!r} must be 1-255 letters, digits, '_', '.' or '-' "
                         f"(capabilities are stored as 'name:value,...')")


def _check_trait(name: str, trait: str) -> None:
    if not (_CUSTOM_TRAIT.fullmatch(trait) or trait in os_traits.get_traits()):
        raise ValueError(f"action {name}: {trait!r} is not a trait Ironic accepts; use "
                         f"CUSTOM_ followed by A-Z, 0-9 and '_', or a standard trait "
                         f"such as HW_CPU_X86_AVX2")


def apply(action: dict[str, Any], node_info: NodeInfo) -> None:
    """Apply one (validated) action.

    :raises RuleFailure: for ``fail``.
    """
    name = action["action"]
    if name == "fail":
        raise RuleFailure(action["message"])
    if name == "set-attribute":
        node_info.set_field(action["path"], action["value"])
    elif name == "set-capability":
        node_info.update_capabilities(**{action["name"]: action.get("value", "true")})
    elif name == "extend-attribute":
        current = node_info.get_field(action["path"])
        items = list(current) if isinstance(current, list) else []
        if not (action.get("unique") and action["value"] in items):
            items.append(action["value"])
        node_info.set_field(action["path"], items)
    elif name == "add-trait":
        node_info.add_trait(action["name"])
    elif name == "remove-trait":
        node_info.remove_trait(action["name"])
