"""Compiled specs and a fast ``match_all`` with the exact semantics of ``hardware.matcher``.

``hardware.matcher.match_all`` walks every fact line for every spec and re-parses
each function text on every line. Here a spec is compiled once (its literal fields
become an index key, its function texts are parsed and checked once) and a node's
facts are indexed by the literal fields the rules use, so a spec only looks at the
lines that can match it. Everything else mirrors ``hardware.matcher`` step by step:
the exact-line pass, the order in which lines are tried (matched lines are removed;
a backtracking point puts the matched line last), variable consistency, backtracking
up to 50 levels, and the ``$$var`` hand-off. ``tests/unit/ahc_rules`` compare both
on random inputs.

One deliberate difference: where ``hardware`` raises (``gt(4)`` on ``'abc'``), the
line simply does not match.
"""

from __future__ import annotations

import ipaddress
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

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
_FUNC_RE = hw_matcher._FUNC_REGEXP
MAX_LEVEL = 50

K_FUNC, K_VAR, K_VARFUNC, K_NEVER = range(4)

Check = tuple[int, int, str, Callable[[str], bool] | None, str]


def _known(name: str) -> bool:
    """True when ``hardware.matcher`` would call ``_<name>`` (its own lookup rule)."""
    return ("_" + name) in vars(hw_matcher)


def _args(res: re.Match[str]) -> list[str]:
    args = [res.group(2)]
    if res.group(3):
        args += re.split(r"\s*,\s*", res.group(3))
    return [arg.strip(_QUOTES) for arg in args]


def _is_static(arg: str) -> bool:
    res = _FUNC_RE.search(arg)
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
    res = _FUNC_RE.search(text)
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


class CompiledSpec:
    """One spec line, ready to match: index key, checks and variables."""

    __slots__ = ("source", "fields", "mask", "key", "checks", "getter")

    def __init__(self, source: SpecLine) -> None:
        self.source = source
        self.fields = source.fields
        checks: list[Check] = []
        mask = []
        for idx, field in enumerate(self.fields):
            check = self._compile_field(idx, field)
            if check is None:
                mask.append(idx)
            else:
                checks.append(check)
        self.mask: tuple[int, ...] = tuple(mask)
        self.getter = operator.itemgetter(*mask) if mask else None
        self.key = self.getter(self.fields) if self.getter else None
        self.checks = tuple(checks)

    def _compile_field(self, idx: int, field: str) -> Check | None:
        """Classify a field exactly as ``hardware.matcher.match_spec`` treats it."""
        if field[0] == "$":
            parts = field.split("=")
            if len(parts) == 2:
                var, func = parts
                if not func:
                    raise RuleFileError(filename=self.source.filename, line=self.source.line,
                                        near=repr(field), reason="nothing after '='")
                fn = compile_function(func, self.source) if func[-1] == ")" else None
                if fn is None:
                    return None  # compared literally with the whole text
                return (idx, K_VARFUNC, var[1:], fn, field)
            if field[-1] == ")" and _FUNC_RE.search(field):
                return (idx, K_NEVER, "", None, field)
            return (idx, K_VAR, field[1:], None, field)
        if field[-1] == ")":
            res = _FUNC_RE.search(field)
            if res:
                fn = compile_function(field, self.source)
                if fn is None:
                    return (idx, K_NEVER, "", None, field)
                return (idx, K_FUNC, "", fn, field)
        return None

    def __repr__(self) -> str:
        return f"CompiledSpec({self.fields!r})"


def compile_specs(specs: Iterable[SpecLine]) -> tuple[CompiledSpec, ...]:
    """Compile parsed spec lines. :raises RuleFileError: on a bad function text."""
    return tuple(CompiledSpec(spec) for spec in specs)


def to_line(item: Sequence[Any]) -> tuple[str, str, str, str]:
    """A 4-tuple of strings from a fact (hardware-detect has ints and floats)."""
    return tuple(v if isinstance(v, str) else str(v) for v in item)  # type: ignore[return-value]


class NodeFacts:
    """A node's fact lines (strings), indexed lazily by the field sets specs use."""

    __slots__ = ("lines", "_index", "_base")

    def __init__(self, items: Iterable[Sequence[Any]]) -> None:
        self.lines: tuple[tuple[str, str, str, str], ...] = tuple(to_line(i) for i in items)
        self._index: dict[tuple[int, ...], dict[Any, list[int]]] = {}
        self._base = {i: i for i in range(len(self.lines))}

    def candidates(self, spec: CompiledSpec) -> Sequence[int]:
        """Ids of the lines whose literal fields equal the spec's, in fact order."""
        if spec.getter is None:
            return self._base.keys()  # type: ignore[return-value]
        index = self._index.get(spec.mask)
        if index is None:
            index = {}
            getter = spec.getter
            for i, line in enumerate(self.lines):
                key = getter(line)
                if key in index:
                    index[key].append(i)
                else:
                    index[key] = [i]
            self._index[spec.mask] = index
        return index.get(spec.key, ())

    def order(self) -> dict[int, int]:
        """A fresh line order: line id -> position key."""
        return dict(self._base)


class _Run:
    """The state of one ``match`` call shared by its recursion levels."""

    __slots__ = ("facts", "specs", "arr2", "seq", "permuted")

    def __init__(self, facts: NodeFacts, specs: Sequence[CompiledSpec], arr2: dict) -> None:
        self.facts = facts
        self.specs = specs
        self.arr2 = arr2
        self.seq = itertools.count(len(facts.lines))
        self.permuted = False


def _match_spec(run: _Run, spec: CompiledSpec, order: dict[int, int], arr: dict) -> int | None:
    """``hardware.matcher.match_spec`` on indexed lines; removes the line from ``order``."""
    present = [i for i in run.facts.candidates(spec) if i in order]
    if not present:
        return None
    if run.permuted and len(present) > 1:
        present.sort(key=order.__getitem__)
    lines = run.facts.lines
    checks = spec.checks
    if not checks:
        del order[present[0]]
        return present[0]
    fields = spec.fields
    for i in present:
        if lines[i] == fields:
            del order[i]
            return i
    for i in present:
        line = lines[i]
        binds = []
        for idx, kind, var, fn, whole in checks:
            value = line[idx]
            if kind == K_VAR or (kind == K_VARFUNC and fn(value)):  # type: ignore[misc]
                if var in arr and arr[var] != value:
                    break
                binds.append((var, value))
            elif kind == K_FUNC:
                if not fn(value):  # type: ignore[misc]
                    break
            elif kind == K_NEVER or value != whole:
                break
        else:
            for var, value in binds:
                arr[var] = value
            del order[i]
            return i
    return None


def _match_all(run: _Run, pos: int, order: dict[int, int], arr: dict, level: int) -> bool:
    """``hardware.matcher.match_all`` from spec ``pos``, with its backtracking."""
    order = dict(order)
    copy_arr = dict(arr)
    points: list[tuple[dict[int, int], int, dict]] = []
    if level == MAX_LEVEL:
        return False
    specs = run.specs
    while pos < len(specs):
        copy_pos = pos
        spec = specs[pos]
        pos += 1
        line = _match_spec(run, spec, order, arr)
        if line is None:
            while points:
                p_order, p_pos, new_arr = points.pop()
                if _match_all(run, p_pos, p_order, new_arr, level + 1):
                    for key in new_arr:
                        arr[key] = new_arr[key]
                    return True
            return False
        if arr != copy_arr:
            copy_order = dict(order)
            copy_order[line] = next(run.seq)
            run.permuted = True
            points.append((copy_order, copy_pos, copy_arr))
            copy_arr = dict(arr)
    for key in list(arr):
        if key[:1] == "$":
            arr[key[1:]] = arr[key]
            run.arr2[key[1:]] = arr[key]
            del arr[key]
    return True


def match(specs: Sequence[CompiledSpec], facts: NodeFacts) -> tuple[bool, dict, dict]:
    """Match all specs against a node's facts, like ``hardware.matcher.match_all``.

    :param specs: compiled spec lines (all must match, each on its own fact line).
    :param facts: the node's indexed facts.
    :returns: ``(matched, variables, cmdb_variables)``: ``$var`` captures, and the
        ``$$var`` captures (also present in ``variables``).
    """
    arr: dict[str, str] = {}
    arr2: dict[str, str] = {}
    run = _Run(facts, specs, arr2)
    ok = _match_all(run, 0, facts.order(), arr, 0)
    return ok, arr, arr2
