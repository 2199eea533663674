"""Enroll validated inventory entries into Ironic through openstacksdk.

Idempotent, like TripleO's import: an entry updates the Ironic node with its UUID,
else its name, else the node owning one of its MACs, else the node behind the same
BMC (address and port, or Redfish system); ports missing are added and the
physical network and local link of existing ones updated. Every entry is matched
against Ironic first (``plan``): a conflict (a MAC owned by another node, two entries
resolving to one node) stops the run before anything is written.
"""

from __future__ import annotations

import dataclasses
import logging

from ironic_tripleo.enroll.inventory import NodeEntry
from ironic_tripleo.enroll.pm_types import bmc_identity
from ironic_tripleo.exception import EnrollConflictError, NodesNotMoved
from ironic_tripleo.nodes import provision

LOG = logging.getLogger(__name__)


@dataclasses.dataclass
class EnrollResult:
    """What happened to one entry."""

    entry: NodeEntry
    node_id: str
    action: str  # "created" or "updated"
    ports_created: list[str] = dataclasses.field(default_factory=list)
    provision_state: str | None = None


def _same_machine(entry: NodeEntry, node) -> bool:
    """A node found by MAC or BMC is this entry unless both have different names."""
    return not (entry.name and node.name and entry.name != node.name)


def plan(baremetal, entries: list[NodeEntry]) -> list[tuple[NodeEntry, object | None]]:
    """Return (entry, existing Ironic node or None) for each entry, writing nothing.

    :raises EnrollConflictError: when an entry's MAC belongs to another node, or two
        entries resolve to the same node.
    """
    nodes = {n.id: n for n in baremetal.nodes(details=True)}
    by_name = {n.name: n for n in nodes.values() if n.name}
    port_owner = {p.address.lower(): p.node_id for p in baremetal.ports(details=True)}
    by_bmc: dict[str, list] = {}
    for node in nodes.values():
        ident = bmc_identity(node.driver_info or {})
        if ident:
            by_bmc.setdefault(ident, []).append(node)
    planned: list[tuple[NodeEntry, object | None]] = []
    claimed: dict[str, NodeEntry] = {}
    enabled = {d.name for d in baremetal.drivers()}
    for entry in entries:
        if entry.driver not in enabled:
            raise EnrollConflictError(
                node=entry.label, reason=f"hardware type {entry.driver!r} is not enabled "
                                         f"in Ironic (enabled: {', '.join(sorted(enabled))})")
        owners = {port_owner[mac] for mac in entry.macs if mac in port_owner}
        node = nodes.get(entry.uuid) if entry.uuid else None
        if node is None and entry.name:
            node = by_name.get(entry.name)
        if node is None and len(owners) == 1:
            owner = nodes[next(iter(owners))]
            if _same_machine(entry, owner):
                node = owner
        if node is None and not owners:
            # One node behind this BMC: it (a shared BMC address is no evidence).
            found = by_bmc.get(entry.bmc_identity() or "", [])
            if len(found) == 1 and _same_machine(entry, found[0]):
                node = found[0]
        foreign = owners - ({node.id} if node is not None else set())
        if foreign:
            other = nodes[sorted(foreign)[0]]
            mac = next(m for m in entry.macs if port_owner.get(m) == other.id)
            raise EnrollConflictError(
                node=entry.label,
                reason=f"mac {mac} belongs to Ironic node {other.name or other.id}")
        if node is None and entry.name and entry.uuid and entry.name in by_name:
            raise EnrollConflictError(
                node=entry.label, reason=f"name {entry.name!r} belongs to Ironic node "
                                         f"{by_name[entry.name].id}, not {entry.uuid}")
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
             "properties": entry.properties(), "resource_class": "baremetal",
             **entry.fields()}
    if entry.extra():
        attrs["extra"] = entry.extra()
    if entry.name:
        attrs["name"] = entry.name
    if entry.uuid:
        attrs["id"] = entry.uuid
    return baremetal.create_node(**attrs)


def _update(baremetal, entry: NodeEntry, node) -> object:
    patch = []
    if node.driver != entry.driver:
        patch.append({"op": "replace", "path": "/driver", "value": entry.driver})
    if entry.name and node.name != entry.name:
        patch.append({"op": "replace", "path": "/name", "value": entry.name})
    for key, value in entry.fields().items():
        if getattr(node, key, None) != value:
            patch.append({"op": "replace", "path": f"/{key}", "value": value})
    for key, value in entry.driver_info().items():
        patch.append({"op": "add", "path": f"/driver_info/{key}", "value": value})
    for key, value in entry.properties().items():
        if (node.properties or {}).get(key) != value:
            patch.append({"op": "add", "path": f"/properties/{key}", "value": value})
    for key, value in entry.extra().items():
        patch.append({"op": "add", "path": f"/extra/{key}", "value": value})
    return baremetal.patch_node(node, patch)


def _sync_ports(baremetal, entry: NodeEntry, node_id: str) -> list[str]:
    """Create the entry's missing ports, update the others; return the MACs added."""
    have = {p.address.lower(): p for p in baremetal.ports(node_id=node_id, details=True)}
    created = []
    for port in entry.ports:
        existing = have.get(port.address)
        if existing is None:
            baremetal.create_port(node_id=node_id, address=port.address, pxe_enabled=True,
                                  physical_network=port.physical_network,
                                  local_link_connection=port.local_link_connection)
            created.append(port.address)
            continue
        patch = []
        if existing.physical_network != port.physical_network:
            patch.append({"op": "add", "path": "/physical_network",
                          "value": port.physical_network})
        if port.local_link_connection and (existing.local_link_connection or {}) != \
                port.local_link_connection:
            patch.append({"op": "add", "path": "/local_link_connection",
                          "value": port.local_link_connection})
        if patch:
            baremetal.patch_port(existing, patch)
    return created


def enroll(baremetal, entries: list[NodeEntry], manage: bool = False,
           provide: bool = False, timeout: float = 300,
           capabilities: dict[str, str] | None = None) -> list[EnrollResult]:
    """Create or update a node (and its ports) per entry.

    :param baremetal: an openstacksdk ``baremetal`` proxy.
    :param manage: move nodes in ``enroll`` to ``manageable`` (checks BMC credentials).
    :param provide: then move ``manageable`` nodes to ``available`` (implies manage).
    :param capabilities: set on every node, over the entries' own (e.g. boot_mode).
    :raises EnrollConflictError: before any change when entries clash with Ironic.
    """
    for entry in entries:
        entry.capabilities.update(capabilities or {})
    results = []
    for entry, existing in plan(baremetal, entries):
        if existing is None:
            node = _create(baremetal, entry)
            result = EnrollResult(entry, node.id, "created")
        else:
            node = _update(baremetal, entry, existing)
            result = EnrollResult(entry, node.id, "updated")
        result.ports_created = _sync_ports(baremetal, entry, node.id)
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
    """Set ``target`` on every node now in ``source``, then wait for all of them.

    :raises NodesNotMoved: naming each node that was refused, failed or was late.
    """
    labels = {}
    for result in results:
        if baremetal.get_node(result.node_id).provision_state == source:
            labels[result.node_id] = result.entry.label
    errors = provision.move(baremetal, list(labels), target, timeout)
    if errors:
        raise NodesNotMoved(target=target, errors="; ".join(
            f"{labels[node_id]}: {error}" for node_id, error in errors.items()))
