"""Memoized matching: identical machines are matched once per role.

A role's specs only ever look at *candidate* lines, those whose literal fields
equal a spec's (:meth:`~ahc_rules.matcher.NodeFacts.candidates`). Pick one field
position that is literal in every spec of the role (the key, usually): the lines
whose value there is one of the specs' values, in reported order, hold every
candidate line. :func:`~ahc_rules.matcher.match` on that projection gives exactly
the result it gives on all the facts (only the relative order of lines matters to
it), so the result can be reused for every node with the same projection. Real
fleets are a few models; serials, MACs and benchmark figures fall outside the
projection unless a spec looks at them.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress
from operator import itemgetter
from typing import Any

from ahc_rules.matcher import CompiledSpec, Line, NodeFacts, match

#: Field positions tried for the projection, most selective first (key, name, class).
_POSITIONS = (2, 1, 0, 3)

Result = tuple[bool, dict[str, Any], dict[str, Any]]


class Projection:
    """Which of a node's lines a role's specs can look at.

    :param specs: the role's compiled specs.
    """

    __slots__ = ("position", "values", "_field", "_wanted")

    def __init__(self, specs: Sequence[CompiledSpec]) -> None:
        self.position: int | None = None
        self.values: frozenset[str] = frozenset()
        for pos in _POSITIONS:
            if specs and all(pos in spec.mask for spec in specs):
                self.position = pos
                self.values = frozenset(spec.fields[pos] for spec in specs)
                break
        self._field = itemgetter(self.position or 0)
        self._wanted = self.values.__contains__

    def __call__(self, lines: tuple[Line, ...]) -> tuple[Line, ...]:
        """The lines to match on (all of them when no position is literal everywhere)."""
        if self.position is None:
            return lines
        # all in C: this runs for every node and role, the matching mostly does not
        return tuple(compress(lines, map(self._wanted, map(self._field, lines))))


class MatchCache:
    """Per-role results by projection; one per run (results are copied out)."""

    def __init__(self) -> None:
        self._projections: dict[int, Projection] = {}
        self._specs: list[tuple[CompiledSpec, ...]] = []  # alive: their ids stay unique
        self._results: dict[tuple[int, tuple[Line, ...]], Result] = {}
        self.hits = 0
        self.misses = 0

    def match(self, specs: tuple[CompiledSpec, ...], facts: NodeFacts) -> Result:
        """:func:`~ahc_rules.matcher.match`, computed once per distinct projection."""
        ident = id(specs)
        projection = self._projections.get(ident)
        if projection is None:
            projection = self._projections[ident] = Projection(specs)
            self._specs.append(specs)
        lines = projection(facts.lines)
        key = (ident, lines)
        result = self._results.get(key)
        if result is None:
            self.misses += 1
            source = facts if lines is facts.lines else NodeFacts(lines, strings=True)
            result = self._results[key] = match(specs, source)
        else:
            self.hits += 1
        ok, var, var2 = result
        return ok, dict(var), dict(var2)
