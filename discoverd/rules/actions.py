"""Rule actions: ``{"action": name, ...params}`` applied to a ``NodeInfo``.

fail{message}, set-attribute{path, value}, set-capability{name, value},
extend-attribute{path, value, unique}, add-trait{name}, remove-trait{name}.
"""

from typing import Any

from discoverd.node_info import NodeInfo


class RuleFailure(Exception):
    """The ``fail`` action ran; the message is the rule's."""


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
    if name not in PARAMS:
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
    if "path" in spec and not action["path"].strip("/"):
        raise ValueError(f"action {name}: path must name a node field, e.g. /extra/role")
    if name in ("set-attribute", "extend-attribute") and \
            action["path"].strip("/").split("/")[0] in ("uuid", "id", "traits"):
        raise ValueError(f"action {name}: path {action['path']} cannot be changed by rules")


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
