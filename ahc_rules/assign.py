"""Assign roles to nodes: a pure function over facts, rules and counts.

:func:`assign` never touches files or Ironic. The caller passes how many nodes
already hold each profile; the result carries the new cmdb contents for the caller
to persist under :func:`ahc_rules.cmdb.rules_lock`. An Ironic-facing caller can
therefore re-read the counts under its lock, call :func:`assign` again and write
only what still fits (compare-and-swap).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from ahc_rules.cmdb import Cmdb
from ahc_rules.exception import CmdbExhaustedError
from ahc_rules.facts import Node, sorted_nodes
from ahc_rules.matcher import NodeFacts, match
from ahc_rules.memo import MatchCache
from ahc_rules.rules_dir import RuleSet

LOG = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Assignment:
    """The outcome for one node.

    :param node: node name.
    :param role: the matched role, or None.
    :param variables: captured ``$var`` values merged with the bound cmdb entry.
    :param remaining: for each counted role, how many places were left when this
        node was considered (what :func:`ahc_rules.explain.explain` needs).
    """

    node: str
    role: str | None
    variables: dict[str, Any] = dataclasses.field(default_factory=dict)
    remaining: dict[str, int] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class MatchResult:
    """All assignments of a run, the resulting counts and the cmdbs to save."""

    assignments: list[Assignment]
    counts: dict[str, int]
    cmdbs: dict[str, Cmdb]

    def by_node(self) -> dict[str, Assignment]:
        """Assignments keyed by node name."""
        return {a.node: a for a in self.assignments}

    @property
    def changed_cmdbs(self) -> dict[str, list[dict[str, Any]]]:
        """Cmdb contents that differ from what was read, by role."""
        return {name: c.entries for name, c in self.cmdbs.items() if c.changed}


def remaining_places(rules: RuleSet, counts: Mapping[str, int]) -> dict[str, int]:
    """Places left per counted role given how many nodes hold each profile."""
    return {role.name: max(role.count - counts.get(role.name, 0), 0)
            for role in rules.roles if role.count is not None}


def match_node(rules: RuleSet, facts: NodeFacts, remaining: Mapping[str, int],
               cmdbs: Mapping[str, Cmdb] | None = None, cache: MatchCache | None = None
               ) -> tuple[str | None, dict[str, Any]]:
    """The first role in state order that matches, has room and (if any) a cmdb entry.

    :param rules: the rule set.
    :param facts: the node's facts.
    :param remaining: places left per counted role (roles absent: unlimited).
    :param cmdbs: per-role cmdbs to bind with; entries are marked used here.
    :param cache: reuse match results of identical machines (:mod:`ahc_rules.memo`).
    :returns: ``(role name or None, variables)``.
    """
    for role in rules.roles:
        if role.name in remaining and remaining[role.name] <= 0:
            continue
        ok, var, var2 = (cache.match if cache else match)(role.specs, facts)
        if not ok:
            continue
        cmdb = (cmdbs or {}).get(role.name)
        if cmdb is not None:
            try:
                var = cmdb.bind(var, var2)
            except CmdbExhaustedError as exc:
                LOG.info("Skipping role %s: %s", role.name, exc)
                continue
        return role.name, var
    return None, {}


def new_cmdbs(rules: RuleSet,
              current: Mapping[str, list[dict[str, Any]]] | None = None) -> dict[str, Cmdb]:
    """Private cmdb copies per role: ``current`` contents if given, else as read."""
    current = current or {}
    return {role.name: Cmdb(role.name, list(current.get(role.name, role.cmdb)))
            for role in rules.roles if role.cmdb is not None or role.name in current}


def assign(nodes: Iterable[Node], rules: RuleSet,
           already_assigned: Mapping[str, int] | None = None,
           cmdbs: Mapping[str, list[dict[str, Any]]] | None = None) -> MatchResult:
    """Match every node, in name order, against the roles in state order.

    Nodes are taken as given (the caller leaves out nodes that keep their profile
    and counts them in ``already_assigned``). Nothing passed in is modified.

    :param nodes: nodes to match.
    :param rules: the loaded rules directory.
    :param already_assigned: how many nodes already hold each profile.
    :param cmdbs: current cmdb contents per role (default: as read with the rules).
    :returns: assignments in node order, final counts, and the cmdbs.
    """
    counts = dict(already_assigned or {})
    remaining = remaining_places(rules, counts)
    working = new_cmdbs(rules, cmdbs)
    cache = MatchCache()
    assignments = []
    for node in sorted_nodes(nodes):
        snapshot = dict(remaining)
        role, variables = match_node(rules, node.facts, remaining, working, cache)
        if role is not None:
            counts[role] = counts.get(role, 0) + 1
            if role in remaining:
                remaining[role] -= 1
        assignments.append(Assignment(node.name, role, variables, snapshot))
    ordered = {role.name: counts.pop(role.name, 0) for role in rules.roles}
    ordered.update(counts)  # profiles held by nodes that are not in the rules
    return MatchResult(assignments=assignments, counts=ordered, cmdbs=working)


def nodes_by_role(result: MatchResult, nodes: Iterable[Node]) -> dict[str, list[Node]]:
    """Role name -> its matched nodes, in state order of first match (for emitting)."""
    by_name = {node.name: node for node in nodes}
    roles: dict[str, list[Node]] = {}
    for assignment in result.assignments:
        if assignment.role is not None:
            roles.setdefault(assignment.role, []).append(by_name[assignment.node])
    return roles
