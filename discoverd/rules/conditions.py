"""Rule conditions: ``{"op", "field", "value", "multiple", "invert"}``.

Ops: eq, ne, lt, le, gt, ge (numbers when both sides are numbers), in-net
(CIDR), matches (whole-string regex), contains (regex search), is-empty.

A rule's regex meets strings from the ramdisk, so its cost is bounded: patterns go
through the ``regex`` module, whose matcher takes a timeout (``re`` has none, and
``(a|a)+$`` against a long string backtracks for hours). A timeout fails the rule
by name instead of holding a worker.
"""

import ipaddress
import operator
from collections.abc import Callable
from typing import Any

import regex

from discoverd.exception import ConditionError
from discoverd.rules import fields

#: Seconds one regex match may take before the condition fails.
REGEX_TIMEOUT = 0.5
#: Longest accepted pattern.
MAX_PATTERN = 1000


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def check(field: Any, value: Any) -> bool:
        a, b = _number(field), _number(value)
        if isinstance(a, float) != isinstance(b, float):
            a, b = field, value
        try:
            return bool(op(a, b))
        except TypeError:
            return False
    return check


def _in_net(field: Any, value: Any) -> bool:
    try:
        return ipaddress.ip_address(str(field)) in ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False


def _regex(find: Callable[..., Any]) -> Callable[[Any, Any], bool]:
    def check(field: Any, value: Any) -> bool:
        text = str(field)
        try:
            return find(value, text, timeout=REGEX_TIMEOUT) is not None
        except TimeoutError:
            raise ConditionError(
                f"regex {value!r} took more than {REGEX_TIMEOUT} s on a value of "
                f"{len(text)} characters ({text[:40]!r}...); simplify the pattern"
            ) from None
    return check


_matches = _regex(regex.fullmatch)
_contains = _regex(regex.search)


OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": _compare(operator.eq), "ne": _compare(operator.ne),
    "lt": _compare(operator.lt), "le": _compare(operator.le),
    "gt": _compare(operator.gt), "ge": _compare(operator.ge),
    "in-net": _in_net, "matches": _matches, "contains": _contains,
}
KNOWN_KEYS = {"op", "field", "value", "multiple", "invert"}
MULTIPLE = ("any", "all", "first")


def validate(cond: Any) -> None:
    """Check one condition.

    :raises ValueError: saying what is wrong and what is allowed.
    """
    if not isinstance(cond, dict):
        raise ValueError(f"a condition must be an object, got {cond!r}")
    unknown = set(cond) - KNOWN_KEYS
    if unknown:
        raise ValueError(f"unknown condition keys {sorted(unknown)}; "
                         f"allowed: {sorted(KNOWN_KEYS)}")
    op = cond.get("op")
    if not isinstance(op, str) or (op != "is-empty" and op not in OPS):
        raise ValueError(f"unknown condition op {op!r}; allowed: "
                         f"{', '.join(sorted([*OPS, 'is-empty']))}")
    fields.parse(cond.get("field"))
    if not isinstance(cond.get("multiple", "any"), str) or \
            cond.get("multiple", "any") not in MULTIPLE:
        raise ValueError(f"multiple={cond['multiple']!r}; allowed: {', '.join(MULTIPLE)}")
    if not isinstance(cond.get("invert", False), bool):
        raise ValueError(f"invert must be true or false, got {cond['invert']!r}")
    if op == "is-empty":
        return
    if "value" not in cond:
        raise ValueError(f"condition op {op!r} needs a 'value'")
    value = cond["value"]
    if op == "in-net":
        try:
            ipaddress.ip_network(value, strict=False)
        except (TypeError, ValueError):
            raise ValueError(f"in-net value {value!r} is not a network (CIDR)") from None
    elif op in ("matches", "contains"):
        if not isinstance(value, str) or len(value) > MAX_PATTERN:
            raise ValueError(f"{op} value must be a regular expression string of at most "
                             f"{MAX_PATTERN} characters")
        try:
            regex.compile(value)
        except (regex.error, ValueError, OverflowError) as exc:
            raise ValueError(f"{op} value {value!r} is not a valid regex: {exc}") from None
    elif not isinstance(value, str | int | float | bool | None):
        raise ValueError(f"{op} value must be a string, number, boolean or null")


def _empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list | dict) and not value)


def check(cond: dict[str, Any], node: dict[str, Any], data: dict[str, Any]) -> bool:
    """Evaluate one (validated) condition against the node view and the data."""
    source, segments = fields.parse(cond["field"])
    values = fields.resolve(node if source == "node" else data, segments)
    op = cond["op"]
    if op == "is-empty":
        result = all(_empty(v) for v in values)
    elif not values:
        result = False
    else:
        mode = cond.get("multiple", "any")
        if mode == "first":
            values = values[:1]
        results = (OPS[op](v, cond["value"]) for v in values)
        result = all(results) if mode == "all" else any(results)
    return result != cond.get("invert", False)
