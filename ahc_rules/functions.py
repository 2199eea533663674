"""The spec functions (``gt(4)``, ``network(10.0.0.0/8)``, ``and(gt(1), lt(9))`` ...).

A function text is parsed once, with ``hardware.matcher``'s own regular expression
and argument splitting, and checked (known name, argument count, numeric bounds,
valid regular expression and network). Plain-argument functions get a pre-parsed
fast version; nested ones call ``hardware.matcher._call_func`` itself, so the
semantics stay hardware's.

Those are private names of hardware (``_FUNC_REGEXP``, ``_call_func``, the
``_<name>`` functions): reusing them is what keeps both matchers equal. If hardware
changes them, ``tests/unit/ahc_rules/test_hardware_internals.py`` fails and says what.
"""

from __future__ import annotations

import ipaddress
import operator
import re
from collections.abc import Callable

from hardware import matcher as hw_matcher

from ahc_rules.exception import RuleFileError
from ahc_rules.rules_parser import SpecLine

#: The functions rule authors may call, and how many explicit arguments each takes
#: (``None``: one or more).
FUNCTIONS: dict[str, int | None] = {
    "gt": 1, "ge": 1, "lt": 1, "le": 1, "range": 2, "network": 1, "regexp": 1,
    "in": None, "not": 1, "and": 2, "or": 2,
}
_LOWER_NAME = re.compile(r"^[a-z_]+$")
_QUOTES = "'\""
FUNC_RE = hw_matcher._FUNC_REGEXP




def _known(name: str) -> bool:
    """True when ``hardware.matcher`` would call ``_<name>`` (its own lookup rule)."""
    return ("_" + name) in vars(hw_matcher)


def _args(res: re.Match[str]) -> list[str]:
    args = [res.group(2)]
    if res.group(3):
        args += re.split(r"\s*,\s*", res.group(3))
    return [arg.strip(_QUOTES) for arg in args]


def _is_static(arg: str) -> bool:
    res = FUNC_RE.search(arg)
    return not (res and _known(res.group(1)))


def _generic(res: re.Match[str]) -> Callable[[str], bool]:
    func = getattr(hw_matcher, "_" + res.group(1))

    def check(value: str) -> bool:
        try:
            return bool(hw_matcher._call_func(func, value, res))
        except Exception:  # noqa: BLE001 - hardware raises on non-numbers: no match
            return False

    return check


def _fast(name: str, args: list[str], slow: Callable[[str], bool], spec: SpecLine,
          text: str) -> Callable[[str], bool]:
    """A pre-parsed version of a function whose arguments are plain values."""

    def bad(reason: str) -> RuleFileError:
        return RuleFileError(filename=spec.filename, line=spec.line, near=repr(text),
                             reason=reason)

    try:
        if name in ("gt", "ge", "lt", "le"):
            bound = float(args[0])
            cmp = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt,
                   "le": operator.le}[name]
            test: Callable[[str], bool] = lambda v: cmp(float(v), bound)  # noqa: E731
        elif name == "range":
            low, high = float(args[0]), float(args[1])
            test = lambda v: low <= float(v) <= high  # noqa: E731
        elif name == "regexp":
            pattern = re.compile(args[0])
            test = lambda v: pattern.search(v) is not None  # noqa: E731
        elif name == "network":
            net = ipaddress.IPv4Network(args[0])
            test = lambda v: ipaddress.IPv4Address(v) in net  # noqa: E731
        elif name == "in":
            choices = frozenset(args)
            test = choices.__contains__
        else:
            return slow
    except ValueError as exc:
        raise bad(f"bad argument for {name}(): {exc}") from None
    except re.error as exc:
        raise bad(f"bad regular expression: {exc}") from None

    def check(value: str) -> bool:
        # Values that hardware would itself evaluate or unquote take the slow path.
        if "(" in value or value[:1] in _QUOTES or value[-1:] in _QUOTES:
            return slow(value)
        try:
            return bool(test(value))
        except ValueError:
            return False

    return check


def compile_function(text: str, spec: SpecLine) -> Callable[[str], bool] | None:
    """Return a checker for a function text such as ``gt(4)``.

    Returns None when hardware would not call a function (the text is then
    compared literally or never matches, as hardware does).

    :raises RuleFileError: unknown lowercase function name, wrong argument count,
        non-numeric bound, bad regular expression or network.
    """
    res = FUNC_RE.search(text)
    if not res:
        return None
    name = res.group(1)
    if name not in FUNCTIONS:
        if _LOWER_NAME.match(name):
            raise RuleFileError(filename=spec.filename, line=spec.line, near=repr(text),
                                reason=f"unknown function {name}(); known: "
                                       + ", ".join(sorted(FUNCTIONS)))
        return None
    args = _args(res)
    wanted = FUNCTIONS[name]
    if wanted is not None and len(args) != wanted:
        raise RuleFileError(filename=spec.filename, line=spec.line, near=repr(text),
                            reason=f"{name}() takes {wanted} argument(s), got {len(args)} "
                                   "(commas always separate arguments)")
    slow = _generic(res)
    if all(_is_static(arg) for arg in args):
        return _fast(name, args, slow, spec, text)
    return slow


