"""Why a node got (or did not get) each role.

For every role in state order: "count exhausted", "matched", "cmdb exhausted", or
the first spec line whose prefix of the specs no longer matches, with the values
the node has for that line's literal class/name/key.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ahc_rules.cmdb import Cmdb
from ahc_rules.matcher import CompiledSpec, NodeFacts, match
from ahc_rules.rules_dir import RuleSet
from ahc_rules.rules_parser import SpecLine

MAX_SEEN = 6


@dataclasses.dataclass(frozen=True)
class RoleReason:
    """One role's verdict for a node.

    :param role: role name.
    :param status: ``matched``, ``no-match``, ``count-exhausted`` or ``cmdb-exhausted``.
    :param spec: the first spec line that did not match (``no-match`` only).
    :param seen: the node's facts for that line's literal fields, ``name/key=value``.
    :param detail: a human sentence.
    """

    role: str
    status: str
    spec: SpecLine | None = None
    seen: tuple[str, ...] = ()
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.role}: {self.detail}"


def first_failing_spec(specs: tuple[CompiledSpec, ...], facts: NodeFacts) -> int | None:
    """Index of the first spec such that the specs up to it stop matching; None if all match."""
    for end in range(1, len(specs) + 1):
        if not match(specs[:end], facts)[0]:
            return end - 1
    return None


def seen_values(spec: CompiledSpec, facts: NodeFacts) -> tuple[str, ...]:
    """The node's facts with the same literal class/name/key as ``spec``."""
    literal = [i for i in spec.mask if i < 3]
    lines = [line for line in facts.lines
             if all(line[i] == spec.fields[i] for i in literal)]
    return tuple(f"{line[0]}/{line[1]}/{line[2]}={line[3]}" for line in lines[:MAX_SEEN]) + (
        (f"... {len(lines) - MAX_SEEN} more",) if len(lines) > MAX_SEEN else ())


def explain(facts: NodeFacts, rules: RuleSet, remaining: Mapping[str, int] | None = None,
            cmdbs: Mapping[str, Cmdb] | None = None) -> list[RoleReason]:
    """Per role, in state order, why it would or would not take this node.

    :param facts: the node's facts.
    :param rules: the rule set.
    :param remaining: places left per counted role when the node is considered
        (``Assignment.remaining``); default: the full counts.
    :param cmdbs: per-role cmdbs as they were then (checked, never modified).
    :returns: one :class:`RoleReason` per role.
    """
    if remaining is None:
        remaining = {r.name: r.count for r in rules.roles if r.count is not None}
    reasons = []
    for role in rules.roles:
        if role.name in remaining and remaining[role.name] <= 0:
            reasons.append(RoleReason(role.name, "count-exhausted",
                                      detail=f"count exhausted ({role.count} wanted)"))
            continue
        ok, var, var2 = match(role.specs, facts)
        if ok:
            cmdb = (cmdbs or {}).get(role.name)
            if cmdb is not None and not cmdb.can_bind(var, var2):
                reasons.append(RoleReason(role.name, "cmdb-exhausted",
                                          detail="specs match but no cmdb entry is free "
                                                 f"for {var2 or var}"))
                continue
            reasons.append(RoleReason(role.name, "matched", detail="all specs match"))
            continue
        idx = first_failing_spec(role.specs, facts)
        spec = role.specs[idx if idx is not None else len(role.specs) - 1]
        seen = seen_values(spec, facts)
        where = f"{spec.source.filename}:{spec.source.line}"
        what = ", ".join(seen) if seen else "no such fact"
        reasons.append(RoleReason(role.name, "no-match", spec.source, seen,
                                  detail=f"{where} {spec.fields!r} did not match; seen: {what}"))
    return reasons


def explain_dict(reasons: list[RoleReason]) -> list[dict[str, Any]]:
    """JSON-ready form of :func:`explain`'s result."""
    return [{"role": r.role, "status": r.status, "detail": r.detail,
             "file": r.spec.filename if r.spec else None,
             "line": r.spec.line if r.spec else None,
             "spec": list(r.spec.fields) if r.spec else None, "seen": list(r.seen)}
            for r in reasons]
