"""Enroll validated inventory entries into Ironic through openstacksdk.

Idempotent: an entry updates the Ironic node with its name or, for an unnamed one,
the node owning one of its MACs; missing ports are added, existing ones kept. Every
entry is matched against Ironic first (``plan``): a conflict (a MAC owned by another
node) stops the run before anything is written.
"""

from __future__ import annotations

import dataclasses
import logging

from ironic_tripleo.enroll.inventory import NodeEntry
from ironic_tripleo.exception import TripleOError

LOG = logging.getLogger(__name__)


class EnrollConflictError(TripleOError):
    message = "%(node)s: %(reason)s; nothing was enrolled"


@dataclasses.dataclass
class EnrollResult:
    """What happened to one entry."""

    entry: NodeEntry
    node_id: str
    action: str  # "created" or "updated"
    ports_created: list[str] = dataclasses.field(default_factory=list)
    provision_state: str | None = None


def plan(baremetal, entries: list[NodeEntry]) -> list[tuple[NodeEntry, object | None]]:
    """Return (entry, existing Ironic node or None) for each entry, writing nothing.

    :raises EnrollConflictError: when an entry's MAC belongs to another node, or two
        entries resolve to the same node.
    """
    nodes = {n.id: n for n in baremetal.nodes(details=True)}
    by_name = {n.name: n for n in nodes.values() if n.name}
    port_owner = {p.address.lower(): p.node_id for p in baremetal.ports(details=True)}
    planned: list[tuple[NodeEntry, object | None]] = []
    claimed: dict[str, NodeEntry] = {}
    for entry in entries:
        owners = {port_owner[mac] for mac in entry.macs if mac in port_owner}
        node = by_name.get(entry.name) if entry.name else None
        if node is None and len(owners) == 1:
            owner = nodes[next(iter(owners))]
            # Found by MAC: the same machine unless both have (different) names.
            if not (entry.name and owner.name):
                node = owner
        foreign = owners - ({node.id} if node is not None else set())
        if foreign:
            other = nodes[sorted(foreign)[0]]
            mac = next(m for m in entry.macs if port_owner.get(m) == other.id)
            raise EnrollConflictError(
                node=entry.label,
                reason=f"mac {mac} belongs to Ironic node {other.name or other.id}")
        if node is not None:
            if node.id in claimed:
                raise EnrollConflictError(
                    node=entry.label, reason=f"it matches Ironic node {node.name or node.id}, "
                                             f"as {claimed[node.id].label} does")
            claimed[node.id] = entry
        planned.append((entry, node))
    return planned


def _create(baremetal, entry: NodeEntry) -> object:
    attrs = {"driver": entry.driver, "driver_info": entry.driver_info(),
             "properties": entry.properties(), "resource_class": "baremetal"}
    if entry.name:
        attrs["name"] = entry.name
    return baremetal.create_node(**attrs)


def _update(baremetal, entry: NodeEntry, node) -> object:
    patch = []
    if node.driver != entry.driver:
        patch.append({"op": "replace", "path": "/driver", "value": entry.driver})
    if entry.name and node.name != entry.name:
        patch.append({"op": "replace", "path": "/name", "value": entry.name})
    for key, value in entry.driver_info().items():
        patch.append({"op": "add", "path": f"/driver_info/{key}", "value": value})
    for key, value in entry.properties().items():
        if (node.properties or {}).get(key) != value:
            patch.append({"op": "add", "path": f"/properties/{key}", "value": value})
    return baremetal.patch_node(node, patch)


def enroll(baremetal, entries: list[NodeEntry], manage: bool = False,
           provide: bool = False, timeout: float = 300) -> list[EnrollResult]:
    """Create or update a node (and its ports) per entry.

    :param baremetal: an openstacksdk ``baremetal`` proxy.
    :param manage: move nodes in ``enroll`` to ``manageable`` (checks BMC credentials).
    :param provide: then move ``manageable`` nodes to ``available`` (implies manage).
    :raises EnrollConflictError: before any change when entries clash with Ironic.
    """
    results = []
    for entry, existing in plan(baremetal, entries):
        if existing is None:
            node = _create(baremetal, entry)
            result = EnrollResult(entry, node.id, "created")
        else:
            node = _update(baremetal, entry, existing)
            result = EnrollResult(entry, node.id, "updated")
        have = {p.address.lower() for p in baremetal.ports(node_id=node.id)}
        for mac in entry.macs:
            if mac not in have:
                baremetal.create_port(node_id=node.id, address=mac, pxe_enabled=True)
                result.ports_created.append(mac)
        LOG.info("%s: %s Ironic node %s (ports added: %s)", entry.label, result.action,
                 node.id, ", ".join(result.ports_created) or "none")
        results.append(result)
    if manage or provide:
        _move(baremetal, results, "enroll", "manage", timeout)
    if provide:
        _move(baremetal, results, "manageable", "provide", timeout)
    for result in results:
        result.provision_state = baremetal.get_node(result.node_id).provision_state
    return results


def _move(baremetal, results: list[EnrollResult], source: str, target: str,
          timeout: float) -> None:
    """Set ``target`` on every node now in ``source``, then wait for all of them."""
    moving = []
    for result in results:
        node = baremetal.get_node(result.node_id)
        if node.provision_state == source:
            LOG.info("%s: %s", result.entry.label, target)
            baremetal.set_node_provision_state(node, target)
            moving.append(node)
    if moving:
        expected = "manageable" if target == "manage" else "available"
        baremetal.wait_for_nodes_provision_state(moving, expected, timeout=timeout)
