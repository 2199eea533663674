"""Profiles of Ironic nodes: which one each holds, which it could hold, and matching.

Driven by the ahc rules (``ahc_rules``): a node's possible profiles are the roles
whose specs its introspected facts satisfy (counts aside); matching is
:class:`ahc_rules.ironic.IronicMatcher`, which writes ``profile:<role>``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ahc_rules.exception import AhcError
from ahc_rules.explain import explain
from ahc_rules.ironic import IronicMatcher, node_from_ironic, node_profile
from ahc_rules.rules_dir import RuleSet


@dataclasses.dataclass
class ProfileRow:
    """One node and its profiles."""

    uuid: str
    name: str
    provision_state: str
    current_profile: str | None
    possible_profiles: list[str]
    note: str | None = None


def possible_profiles(node: Any, rules: RuleSet) -> tuple[list[str], str | None]:
    """The roles whose specs the node's facts match, and why none can be known."""
    try:
        facts = node_from_ironic(node)
    except AhcError as exc:
        return [], f"facts unusable: {exc}"
    if facts is None:
        return [], "no hardware facts: introspect the node first"
    return [r.role for r in explain(facts.facts, rules, remaining={})
            if r.status == "matched"], None


def list_profiles(bm: Any, rules: RuleSet | None, include_maintenance: bool = False
                  ) -> list[ProfileRow]:
    """A row per node (sorted by name), with possible profiles when ``rules`` given."""
    rows = []
    for node in bm.nodes(details=True):
        if node.is_maintenance and not include_maintenance:
            continue
        possible, note = possible_profiles(node, rules) if rules else ([], None)
        rows.append(ProfileRow(node.id, node.name or "", node.provision_state,
                               node_profile(node), possible, note))
    return sorted(rows, key=lambda r: (r.name or r.uuid))


def match(bm: Any, rules: RuleSet, dry_run: bool = False, rematch: bool = False,
          resource_class: str | None = None, trait: str | None = None,
          lock_timeout: float = 60.0) -> list[tuple[str, str | None]]:
    """Run the rules over the nodes: ``(node, role or None)`` per node considered.

    With ``dry_run`` nothing is written (no profile, no cmdb).
    """
    matcher = IronicMatcher(bm, rules, resource_class, trait, lock_timeout)
    result, _ = matcher.run(dry_run=dry_run, rematch=rematch)
    return [(a.node, a.role) for a in result.assignments]
