"""Nodes and their facts, read from saved files in the formats the ramdisks produce.

Three payload shapes are recognised:

- a list of ``[class, name, key, value]`` (SpinalStack, ``.hw`` files);
- ``hardware-detect`` JSON output: the same list, with ints and floats in it;
- discoverd / ironic-inspector data: ``{"data": [[c, n, k, v], ...], "inventory": {...}}``.

A file holds one node, or a JSON object mapping node names to payloads. A
directory holds one node per file (``*.json``, ``*.hw``, ``*.hw_``), named after
the file. Python-literal files (``.hw``) are read with the safe rule parser.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ahc_rules.exception import AhcError, FactsError
from ahc_rules.matcher import NodeFacts
from ahc_rules.rules_parser import parse_literal

FACT_SUFFIXES = (".json", ".hw", ".hw_")


@dataclasses.dataclass
class Node:
    """A machine to match: a stable name, its facts and what is known besides.

    :param name: the sort key of the run (Ironic UUID or name, or the file stem).
    :param facts: indexed fact lines.
    :param profile: the profile the node already holds, if any.
    :param inventory: the ironic-python-agent inventory when the payload had one.
    :param properties: Ironic ``properties`` (cpus, memory_mb, local_gb) if known.
    """

    name: str
    facts: NodeFacts
    profile: str | None = None
    inventory: dict[str, Any] | None = None
    properties: dict[str, Any] = dataclasses.field(default_factory=dict)


def is_fact_list(value: Any) -> bool:
    """True for a list of 4-item lists/tuples (an empty list counts)."""
    return isinstance(value, (list, tuple)) and all(
        isinstance(item, (list, tuple)) and len(item) == 4 for item in value)


def split_payload(payload: Any, where: str = "<payload>") -> tuple[list, dict | None]:
    """Return ``(fact_list, inventory)`` from any supported payload shape.

    :raises FactsError: when the shape is not recognised.
    """
    if is_fact_list(payload):
        return list(payload), None
    if isinstance(payload, Mapping) and "data" in payload:
        if not is_fact_list(payload["data"]):
            raise FactsError(path=where, reason="'data' is not a list of 4-item lists")
        inventory = payload.get("inventory")
        return list(payload["data"]), inventory if isinstance(inventory, dict) else None
    raise FactsError(path=where, reason=f"unrecognised payload of type {type(payload).__name__}")


def node_from_payload(name: str, payload: Any, where: str = "<payload>") -> Node:
    """Build a :class:`Node` from one payload. :raises FactsError: on a bad shape."""
    items, inventory = split_payload(payload, where)
    return Node(name=name, facts=NodeFacts(items), inventory=inventory)


def _read(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if path.suffix == ".json":
            raise FactsError(path=str(path), reason=f"invalid JSON: {exc}") from None
    try:
        return parse_literal(text, str(path))[0]
    except AhcError as exc:
        raise FactsError(path=str(path), reason=f"neither JSON nor a literal: {exc}") from None


def nodes_from_file(path: Path) -> list[Node]:
    """Nodes in one facts file (one node, or a mapping of names to payloads).

    :raises FactsError: unreadable file or unknown format.
    """
    payload = _read(path)
    if isinstance(payload, Mapping) and "data" not in payload:
        return [node_from_payload(str(name), value, f"{path}[{name!r}]")
                for name, value in payload.items()]
    return [node_from_payload(path.name.split(".")[0], payload, str(path))]


def load_nodes(path: str | Path) -> list[Node]:
    """All nodes from a facts file or a directory of them, sorted by name.

    :raises FactsError: missing path, bad file, or two nodes with one name.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in FACT_SUFFIXES and p.is_file())
    elif path.is_file():
        files = [path]
    else:
        raise FactsError(path=str(path), reason="no such file or directory")
    nodes: dict[str, Node] = {}
    for file in files:
        for node in nodes_from_file(file):
            if node.name in nodes:
                raise FactsError(path=str(file), reason=f"node {node.name!r} appears twice")
            nodes[node.name] = node
    return sorted_nodes(nodes.values())


def sorted_nodes(nodes: Sequence[Node] | Any) -> list[Node]:
    """Nodes in the deterministic order every run uses (by name)."""
    return sorted(nodes, key=lambda node: node.name)


def fact_values(facts: NodeFacts, cls: str, key: str, name: str | None = None) -> list[str]:
    """Values of the facts ``(cls, name, key, *)``; any name when ``name`` is None."""
    return [line[3] for line in facts.lines
            if line[0] == cls and line[2] == key and (name is None or line[1] == name)]
