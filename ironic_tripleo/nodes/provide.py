"""Make nodes available: ``provide`` on manageable nodes, then wait for the outcome."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from typing import Any

from ironic_tripleo.nodes import provision

LOG = logging.getLogger(__name__)


@dataclasses.dataclass
class Provided:
    """The outcome for one node."""

    uuid: str
    name: str
    state: str
    error: str | None = None


def select(bm: Any, idents: Iterable[str] = (), all_manageable: bool = False) -> list[Any]:
    """Nodes by name/UUID, or every ``manageable`` node not in maintenance."""
    if all_manageable:
        return [n for n in bm.nodes(details=True)
                if n.provision_state == "manageable" and not n.is_maintenance]
    return [bm.get_node(ident) for ident in idents]


def provide(bm: Any, nodes: list[Any], timeout: float = 1800) -> list[Provided]:
    """Move ``manageable`` nodes to ``available`` (through cleaning) and wait.

    Nodes already available are reported as they are; nodes in any other state, a
    refused request, a failed cleaning or the timeout are that node's error.
    """
    results = {n.id: Provided(n.id, n.name or n.id, n.provision_state) for n in nodes}
    moving = []
    for node in nodes:
        if node.provision_state == "manageable":
            moving.append(node.id)
        elif node.provision_state != "available":
            results[node.id].error = (f"provision state '{node.provision_state}' cannot "
                                      "be provided (needs manageable)")
    for node_id, error in provision.move(bm, moving, "provide", timeout).items():
        results[node_id].error = error
    for node_id, result in results.items():
        result.state = bm.get_node(node_id).provision_state
        if result.state != "available" and result.error is None:
            result.error = f"ended in {result.state}"
    return list(results.values())
