"""Compiled specs and a fast ``match_all`` with the exact semantics of ``hardware.matcher``.

``hardware.matcher.match_all`` walks the fact lines for every spec, checking every
field of every line in Python and re-parsing each function text on each line. Here
a spec is compiled once: its literal fields become one specialised scan (most
selective field first) that picks the candidate lines, its function texts are parsed
and checked once (:mod:`ahc_rules.functions`). Everything else mirrors
``hardware.matcher`` step by step: the exact-line pass, the order in which lines are
tried (matched lines are removed; a backtracking point puts the matched line last),
variable consistency, backtracking up to 50 levels, and the ``$$var`` hand-off.
``tests/unit/ahc_rules`` compare both on random inputs.

Why not ``hardware.matcher`` itself: speed, about 10x. ``bench/ahc_match.py``
(10,000 nodes x 5 roles, same facts, same assignments) measured 0.20 s here against
2.26 s for a loop over ``hardware.state.State.find_match`` on a quiet machine (11x,
the README's bench table) and 2.00 s against 19.46 s on a loaded one (9.7x);
``ahc-match`` on a large fleet and the introspection hooks run on every node. The
function semantics still come from hardware (:mod:`ahc_rules.functions`).

Deliberate differences: where ``hardware`` raises (``gt(4)`` on ``'abc'``), the
line simply does not match; on no match, no partial captures are returned; and
before backtracking, a spec that no line can satisfy (whatever the variables) ends
the search at once instead of after an exhaustive retry of every binding.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ahc_rules.exception import RuleFileError
from ahc_rules.functions import FUNC_RE, compile_function
from ahc_rules.rules_parser import SpecLine

MAX_LEVEL = 50
K_FUNC, K_VAR, K_VARFUNC, K_NEVER = range(4)
#: Field positions from most to least selective (key, name, class, value).
_SELECTIVITY = (2, 1, 3, 0)

Line = tuple[str, str, str, str]
Check = tuple[int, int, str, Callable[[str], bool] | None, str]
Scan = Callable[[Sequence[Line]], list[int]]


def _scanner(pairs: list[tuple[int, str]]) -> Scan:
    """A closure returning the ids of lines whose fields equal ``pairs`` (idx, value)."""
    if not pairs:
        return lambda lines: list(range(len(lines)))
    if len(pairs) == 1:
        (a, va), = pairs
        return lambda lines: [i for i, ln in enumerate(lines) if ln[a] == va]
    if len(pairs) == 2:
        (a, va), (b, vb) = pairs
        return lambda lines: [i for i, ln in enumerate(lines) if ln[a] == va and ln[b] == vb]
    if len(pairs) == 3:
        (a, va), (b, vb), (c, vc) = pairs
        return lambda lines: [i for i, ln in enumerate(lines)
                              if ln[a] == va and ln[b] == vb and ln[c] == vc]
    full = tuple(v for _, v in sorted(pairs))

    def scan_full(lines: Sequence[Line]) -> list[int]:
        found = []
        start = 0
        try:
            while True:
                start = lines.index(full, start) + 1  # type: ignore[arg-type]
                found.append(start - 1)
        except ValueError:
            return found

    return scan_full


class CompiledSpec:
    """One spec line, ready to match: a candidate scan, checks and variables."""

    __slots__ = ("source", "fields", "mask", "checks", "scan", "probe")

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
        self.checks = tuple(checks)
        pairs = [(i, self.fields[i]) for i in _SELECTIVITY if i in mask]
        self.scan: Scan = _scanner(pairs)
        #: Specs with the same literal fields share their scan results on a node.
        self.probe = tuple(pairs)

    def _compile_field(self, idx: int, field: str) -> Check | None:
        """Classify a field exactly as ``hardware.matcher.match_spec`` treats it.

        Returns None for a field compared literally.
        """
        if field[0] == "$":
            parts = field.split("=")
            if len(parts) == 2:
                var, func = parts
                if not func:
                    raise RuleFileError(filename=self.source.filename, line=self.source.line,
                                        near=repr(field), reason="nothing after '='")
                fn = compile_function(func, self.source) if func[-1] == ")" else None
                if fn is None:
                    return None  # hardware compares the whole text literally
                return (idx, K_VARFUNC, var[1:], fn, field)
            if field[-1] == ")" and FUNC_RE.search(field):
                return (idx, K_NEVER, "", None, field)
            return (idx, K_VAR, field[1:], None, field)
        if field[-1] == ")" and FUNC_RE.search(field):
            fn = compile_function(field, self.source)
            if fn is None:
                return (idx, K_NEVER, "", None, field)
            return (idx, K_FUNC, "", fn, field)
        return None

    def line_ok(self, line: Line) -> bool:
        """Whether ``line`` (a candidate) passes the checks whatever variables hold."""
        if line == self.fields:
            return True
        for idx, kind, _var, fn, whole in self.checks:
            value = line[idx]
            if kind == K_VAR:
                continue
            if kind == K_NEVER:
                return False
            if not fn(value) and not (kind == K_VARFUNC and value == whole):  # type: ignore[misc]
                return False
        return True

    def possible(self, facts: NodeFacts) -> bool:
        """Whether some line could match this spec whatever the variables hold.

        A necessary condition for :func:`match`: when it fails for any spec, no
        backtracking can succeed.
        """
        lines = facts.lines
        return any(self.line_ok(lines[i]) for i in facts.candidates(self))

    def __repr__(self) -> str:
        return f"CompiledSpec({self.fields!r})"


def compile_specs(specs: Iterable[SpecLine]) -> tuple[CompiledSpec, ...]:
    """Compile parsed spec lines. :raises RuleFileError: on a bad function text."""
    return tuple(CompiledSpec(spec) for spec in specs)


def to_line(item: Sequence[Any]) -> Line:
    """A 4-tuple of strings from a fact (hardware-detect has ints and floats)."""
    return tuple(map(str, item))  # type: ignore[return-value]


class NodeFacts:
    """A node's fact lines (4-tuples of strings, in reported order) and the candidate
    lines found so far for each set of literal fields (shared by all roles)."""

    __slots__ = ("lines", "_found")

    def __init__(self, items: Iterable[Sequence[Any]], strings: bool = False) -> None:
        """:param strings: the items are already 4-tuples of strings (skip conversion)."""
        self.lines: tuple[Line, ...] = tuple(items) if strings else tuple(map(to_line, items))
        self._found: dict[tuple, list[int]] = {}

    def candidates(self, spec: CompiledSpec) -> list[int]:
        """Ids of the lines whose literal fields equal the spec's, in reported order."""
        found = self._found.get(spec.probe)
        if found is None:
            found = self._found[spec.probe] = spec.scan(self.lines)
        return found


class _Run:
    """State shared by the recursion levels of one :func:`match` call."""

    __slots__ = ("lines", "facts", "specs", "arr2", "seq", "pruned")

    def __init__(self, facts: NodeFacts, specs: Sequence[CompiledSpec], arr2: dict) -> None:
        self.facts = facts
        self.lines = facts.lines
        self.specs = specs
        self.arr2 = arr2
        self.seq = itertools.count(len(facts.lines))
        self.pruned: bool | None = None

    def hopeless(self) -> bool:
        """Some spec cannot match any line: backtracking is pointless."""
        if self.pruned is None:
            self.pruned = not all(spec.possible(self.facts) for spec in self.specs)
        return self.pruned


def _match_spec(run: _Run, pos: int, removed: set[int], moved: dict[int, int],
                arr: dict) -> int | None:
    """``hardware.matcher.match_spec``; the line order is ids, minus ``removed``, with
    ``moved`` lines at the end in the order of their position keys."""
    spec = run.specs[pos]
    present = [i for i in run.facts.candidates(spec) if i not in removed]
    if not present:
        return None
    if moved and len(present) > 1:
        present.sort(key=lambda i: moved.get(i, i))
    checks = spec.checks
    if not checks:
        removed.add(present[0])
        return present[0]
    lines = run.lines
    fields = spec.fields
    for i in present:
        if lines[i] == fields:
            removed.add(i)
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
            removed.add(i)
            return i
    return None


def _match_all(run: _Run, pos: int, removed: set[int], moved: dict[int, int], arr: dict,
               level: int) -> bool:
    """``hardware.matcher.match_all`` from spec ``pos``, with its backtracking."""
    removed = set(removed)
    moved = dict(moved)
    copy_arr = dict(arr)
    points: list[tuple[set[int], dict[int, int], int, dict]] = []
    if level == MAX_LEVEL:
        return False
    count = len(run.specs)
    while pos < count:
        copy_pos = pos
        line = _match_spec(run, pos, removed, moved, arr)
        pos += 1
        if line is None:
            if points and run.hopeless():
                return False
            while points:
                p_removed, p_moved, p_pos, new_arr = points.pop()
                if _match_all(run, p_pos, p_removed, p_moved, new_arr, level + 1):
                    for key in new_arr:
                        arr[key] = new_arr[key]
                    return True
            return False
        if arr != copy_arr:
            p_removed = set(removed)
            p_removed.discard(line)
            p_moved = dict(moved)
            p_moved[line] = next(run.seq)
            points.append((p_removed, p_moved, copy_pos, copy_arr))
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
    :param facts: the node's facts.
    :returns: ``(matched, variables, cmdb_variables)``: ``$var`` captures, and the
        ``$$var`` captures (also present in ``variables``); both empty on no match.
    """
    arr: dict[str, str] = {}
    arr2: dict[str, str] = {}
    if _match_all(_Run(facts, specs, arr2), 0, set(), {}, arr, 0):
        return True, arr, arr2
    return False, {}, {}
