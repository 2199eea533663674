"""Profiles of Ironic nodes: which one each holds, which it could hold, and matching.

Driven by the ahc rules (``ahc_rules``): a node's possible profiles are the roles
whose specs its introspected facts satisfy (counts aside); a node holding none gets
the reason per role (the first spec line it fails, a count used up, or that it
matches and ``ahc-match`` has not run). Facts are ``extra.hardware`` or, without
it, Ironic's built-in inspection data. Matching is
:class:`ahc_rules.ironic.IronicMatcher`, which writes ``profile:<role>``.
Both front ends, ``ironic-tripleo profiles`` and ``openstack overcloud profiles``,
print these rows.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping
from typing import Any

from ahc_rules.assign import remaining_places
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
    #: ``cpus``, ``memory_mb``, ``local_gb`` from the node's properties, when set.
    properties: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: For a node holding no profile (with rules): one line per role saying why.
    reasons: list[str] = dataclasses.field(default_factory=list)

    @property
    def label(self) -> str:
        """The node's name, or its UUID when it has none."""
        return self.name or self.uuid


def possible_profiles(node: Any, rules: RuleSet, bm: Any = None,
                      remaining: Mapping[str, int] | None = None
                      ) -> tuple[list[str], str | None, list[str]]:
    """The roles whose specs the node's facts match (counts aside), why none can be
    known, and with ``remaining`` (places left per role) one reason line per role.

    :param bm: the baremetal proxy, to read built-in inspection data of a node
        without ``extra.hardware``; None to look at ``extra`` only.
    """
    try:
        facts = node_from_ironic(node, bm)
    except AhcError as exc:
        note = f"facts unusable: {exc}"
        return [], note, [note]
    if facts is None:
        note = ("no hardware facts (extra.hardware or built-in inspection data): "
                "introspect the node first")
        return [], note, [note]
    possible = [r.role for r in explain(facts.facts, rules, remaining={})
                if r.status == "matched"]
    reasons = []
    if remaining is not None:
        for reason in explain(facts.facts, rules, remaining):
            reasons.append(f"{reason.role}: matches (run ahc-match to assign it)"
                           if reason.status == "matched" else str(reason))
    return possible, None, reasons


def list_profiles(bm: Any, rules: RuleSet | None, include_maintenance: bool = False
                  ) -> list[ProfileRow]:
    """A row per node (sorted by name), with possible profiles when ``rules`` given;
    nodes holding no profile get the reasons against the places left."""
    nodes = [n for n in bm.nodes(details=True) if include_maintenance or not n.is_maintenance]
    held = Counter(p for p in map(node_profile, nodes) if p)
    remaining = remaining_places(rules, held) if rules else {}
    rows = []
    for node in nodes:
        current = node_profile(node)
        possible, note, reasons = (possible_profiles(
            node, rules, bm, None if current else remaining) if rules else ([], None, []))
        props = node.properties or {}
        rows.append(ProfileRow(node.id, node.name or "", node.provision_state, current,
                               possible, note,
                               {k: props[k] for k in ("cpus", "memory_mb", "local_gb")
                                if k in props},
                               reasons))
    return sorted(rows, key=lambda r: r.label)


def match(bm: Any, rules: RuleSet, dry_run: bool = False, rematch: bool = False,
          resource_class: str | None = None, trait: str | None = None,
          lock_timeout: float = 60.0) -> list[tuple[str, str | None]]:
    """Run the rules over the nodes: ``(node, role or None)`` per node considered.

    With ``dry_run`` nothing is written (no profile, no cmdb).
    """
    matcher = IronicMatcher(bm, rules, resource_class, trait, lock_timeout)
    result, _ = matcher.run(dry_run=dry_run, rematch=rematch)
    return [(a.node, a.role) for a in result.assignments]
