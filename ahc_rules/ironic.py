"""Role matching for nodes in Ironic, through an openstacksdk ``baremetal`` proxy.

Facts come from ``extra.hardware`` (a fact list, its JSON text, or discoverd data)
or, for a node without it, from Ironic's built-in inspection
(``GET /v1/nodes/{id}/inventory``: ``plugin_data.data``, the ramdisk's list, or
``plugin_data.extra``, the nested dict Ironic's ``extra-hardware`` hook makes of it);
the result is written as ``profile:<role>`` in ``properties.capabilities`` (other
capabilities kept, for older consumers), with the role's resource class and trait
(:mod:`ahc_rules.scheduling`) for today's Nova. The resource class changes only while
the node is not deployed; otherwise a note names the node and its state.

Counts are safe against concurrent runs: the whole list-assign-write cycle holds the
rules directory lock, nodes holding a profile are counted from a fresh listing, and
each node is re-read just before it is written: if it got a profile meanwhile it is
left alone, and a role already full is not given more nodes.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from typing import Any

from openstack import exceptions as sdk_exc

from ahc_rules.assign import Assignment, MatchResult, assign
from ahc_rules.cmdb import cmdb_path, rules_lock, save_cmdb
from ahc_rules.exception import FactsError, IronicMatchError
from ahc_rules.facts import Node, node_from_payload, sorted_nodes
from ahc_rules.introspection_match import fact_list
from ahc_rules.rules_dir import RuleSet
from ahc_rules.scheduling import RESOURCE_CLASS_STATES
from ahc_rules.scheduling import load as load_scheduling
from baremetal_common.capabilities import format_capabilities, parse_capabilities

LOG = logging.getLogger(__name__)
FACTS_KEY = "hardware"


def node_profile(node: Any) -> str | None:
    """The ``profile`` capability of an Ironic node, if any."""
    return parse_capabilities((node.properties or {}).get("capabilities")).get("profile")


def builtin_inspection_payload(baremetal: Any, node_id: str) -> dict[str, Any] | None:
    """``{"data": facts, "inventory": ...}`` from what Ironic's built-in inspection
    kept for the node; None when it has no inventory or no facts in its plugin data.

    :raises FactsError: Ironic failed to answer (other than 404).
    """
    try:
        stored = baremetal.get_node_inventory(node_id)
    except sdk_exc.NotFoundException:
        return None
    except sdk_exc.SDKException as exc:
        raise FactsError(path=f"node {node_id} inventory",
                         reason=f"GET /v1/nodes/{node_id}/inventory failed: {exc}") from None
    plugin_data = stored.get("plugin_data") if isinstance(stored, dict) else None
    if not isinstance(plugin_data, dict):
        return None
    items = fact_list(plugin_data.get("data"), plugin_data.get("extra"))
    if not items:
        return None
    return {"data": items, "inventory": stored.get("inventory")}


def node_from_ironic(node: Any, baremetal: Any = None) -> Node | None:
    """A :class:`~ahc_rules.facts.Node` from an openstacksdk node; None without facts.

    :param baremetal: the proxy to read built-in inspection data with when the node
        has no ``extra.hardware``; None to look at ``extra`` only.
    :raises FactsError: the facts are present but not a known format, or Ironic
        failed to return the inventory.
    """
    payload = (node.extra or {}).get(FACTS_KEY)
    if payload is None:
        if baremetal is None:
            return None
        payload = builtin_inspection_payload(baremetal, node.id)
        if payload is None:
            return None
        return _with_node_fields(
            node_from_payload(node.id, payload, f"node {node.id} inventory plugin_data"),
            node)
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except json.JSONDecodeError as exc:
            raise FactsError(path=f"node {node.id} extra.{FACTS_KEY}",
                             reason=f"invalid JSON: {exc}") from None
    if isinstance(payload, dict) and "data" not in payload:
        # discoverd's extra_hardware hook stores {class: {name: {key: value}}}
        payload = fact_list(None, payload) or []
    return _with_node_fields(
        node_from_payload(node.id, payload, f"node {node.id} extra.{FACTS_KEY}"), node)


def _with_node_fields(result: Node, node: Any) -> Node:
    """``result`` with the node's profile and scheduler properties."""
    result.profile = node_profile(node)
    props = node.properties or {}
    result.properties = {k: props[k] for k in ("cpus", "memory_mb", "local_gb") if k in props}
    return result


def nodes_from_ironic(baremetal: Any) -> list[Node]:
    """Every Ironic node with facts, named by its name (its UUID when it has none),
    sorted by name; a node whose facts are unusable is skipped with a warning."""
    nodes = []
    for raw in baremetal.nodes(details=True):
        try:
            node = node_from_ironic(raw, baremetal)
        except FactsError as exc:
            LOG.warning("Skipping node %s: %s", raw.id, exc)
            continue
        if node is not None:
            node.name = raw.name or raw.id
            nodes.append(node)
    return sorted_nodes(nodes)


class IronicMatcher:
    """Match Ironic nodes against a rule set and write their profiles.

    :param baremetal: an openstacksdk baremetal proxy (``conn.baremetal``).
    :param rules: the loaded rule set (its directory holds the lock and cmdbs).
    :param resource_class: template for every role's resource class, e.g.
        ``baremetal-{role}``, replacing the defaults of the rules directory's
        ``scheduling.yaml``; None keeps them.
    :param trait: likewise for the trait, e.g. ``CUSTOM_PROFILE_{ROLE}``; ``""``
        adds none.
    :param lock_timeout: seconds to wait for the rules directory lock.
    """

    def __init__(self, baremetal: Any, rules: RuleSet, resource_class: str | None = None,
                 trait: str | None = None, lock_timeout: float = 60.0) -> None:
        self.baremetal = baremetal
        self.rules = rules
        self.scheduling = load_scheduling(
            rules.path, [role.name for role in rules.roles],
            {"resource_class": resource_class, "trait": trait})
        self.lock_timeout = lock_timeout
        #: What was not done and why, by node (e.g. a deployed node's resource class).
        self.notes: list[str] = []

    def load(self, rematch: bool = False) -> tuple[list[Node], Counter]:
        """Nodes to match and the count of nodes keeping their profile."""
        held: Counter = Counter()
        todo = []
        known = {role.name for role in self.rules.roles}
        for raw in self.baremetal.nodes(details=True):
            profile = node_profile(raw)
            if profile in known and not rematch:
                held[profile] += 1
                continue
            try:
                node = node_from_ironic(raw, self.baremetal)
            except FactsError as exc:
                LOG.warning("Skipping node %s: %s", raw.id, exc)
                continue
            if node is None:
                LOG.info("Skipping node %s: no facts (extra.%s or built-in inspection "
                         "data)", raw.id, FACTS_KEY)
                continue
            todo.append(node)
        return todo, held

    def run(self, dry_run: bool = False, rematch: bool = False) -> tuple[MatchResult,
                                                                        list[Node]]:
        """List, assign and (unless ``dry_run``) write profiles and cmdbs.

        :returns: the match result and the nodes that were matched.
        :raises LockTimeout: another run holds the rules directory.
        """
        with rules_lock(self.rules.path, self.lock_timeout):
            nodes, held = self.load(rematch)
            result = assign(nodes, self.rules, held)
            if dry_run:
                return result, nodes
            written: Counter = Counter(held)
            for assignment in result.assignments:
                if assignment.role is not None:
                    self._write(assignment, written, rematch)
            for role, entries in result.changed_cmdbs.items():
                save_cmdb(cmdb_path(self.rules.path, role), entries)
            return result, nodes

    def _write(self, assignment: Assignment, written: Counter, rematch: bool) -> None:
        role = assignment.role
        assert role is not None
        wanted = self.rules.role(role).count
        if wanted is not None and written[role] >= wanted:
            raise IronicMatchError(node=assignment.node,
                                   reason=f"role {role} already has {wanted} nodes")
        node = self.baremetal.get_node(assignment.node)
        current = node_profile(node)
        if current is not None and current != role and not rematch:
            LOG.warning("Node %s got profile %s meanwhile; leaving it", node.id, current)
            return
        caps = parse_capabilities((node.properties or {}).get("capabilities"))
        caps["profile"] = role
        patch = [{"op": "add", "path": "/properties/capabilities",
                  "value": format_capabilities(caps)}]
        sched = self.scheduling[role]
        state = getattr(node, "provision_state", None)
        if node.resource_class != sched.resource_class:
            if state in RESOURCE_CLASS_STATES:
                patch.append({"op": "add", "path": "/resource_class",
                              "value": sched.resource_class})
            else:
                note = (f"node {node.id}: resource class left at {node.resource_class!r} "
                        f"(wanted {sched.resource_class!r}): it is {state}, a node's "
                        "resource class changes only while it is not deployed")
                LOG.warning("%s", note)
                self.notes.append(note)
        try:
            self.baremetal.patch_node(node, patch)
            if sched.trait:
                self.baremetal.add_node_trait(node, sched.trait)
        except Exception as exc:  # openstacksdk raises many kinds; name the node
            raise IronicMatchError(node=node.id, reason=f"update failed: {exc}") from exc
        written[role] += 1
        LOG.info("Node %s: profile %s", node.id, role)
