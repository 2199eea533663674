"""What hooks and rules see of a node, and the changes they ask for.

Hooks never call Ironic: they read ``NodeInfo`` and record changes on it; the
processing pipeline applies the recorded changes in one go at the end.
"""

import copy
import dataclasses
from typing import Any

from baremetal_common.capabilities import format_capabilities, parse_capabilities

_MISSING = object()
#: Node fields no hook or rule may patch (traits and ports have their own calls).
_READ_ONLY = frozenset({"id", "uuid", "traits", "links", "ports", "portgroups", "states",
                        "volume", "created_at", "updated_at", "provision_state",
                        "power_state", "target_power_state", "target_provision_state",
                        "last_error", "reservation", "location"})


@dataclasses.dataclass
class NodeInfo:
    """A node under processing.

    :ivar node: the node as Ironic returned it (fields updated as hooks patch).
    :ivar ports: existing ports by MAC (``uuid``, ``address``, ``pxe_enabled``).
    """

    uuid: str
    node: dict[str, Any]
    ports: dict[str, dict[str, Any]]
    original: dict[str, Any] = dataclasses.field(default_factory=dict)
    new_ports: dict[str, bool] = dataclasses.field(default_factory=dict)
    deleted_ports: set[str] = dataclasses.field(default_factory=set)
    port_patches: dict[str, list[dict[str, Any]]] = dataclasses.field(default_factory=dict)
    traits_added: set[str] = dataclasses.field(default_factory=set)
    traits_removed: set[str] = dataclasses.field(default_factory=set)

    @classmethod
    def from_ironic(cls, node: dict[str, Any], ports: list[dict[str, Any]]) -> "NodeInfo":
        """Build from ``IronicClient.get_node`` / ``list_ports`` results."""
        return cls(uuid=node["id"], node=copy.deepcopy(node), original=copy.deepcopy(node),
                   ports={p["address"]: p for p in ports})

    @property
    def properties(self) -> dict[str, Any]:
        if not isinstance(self.node.get("properties"), dict):
            self.node["properties"] = {}
        return self.node["properties"]

    def set_field(self, path: str, value: Any) -> None:
        """Set a node field by JSON-pointer ``path`` (``/properties/cpus``)."""
        parts = [p for p in path.strip("/").split("/") if p]
        if not parts:
            raise ValueError(f"empty attribute path {path!r}")
        target = self.node
        for part in parts[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise ValueError(f"{path}: '{part}' is not an object")
        target[parts[-1]] = value

    def get_field(self, path: str) -> Any:
        """Return the node field at JSON-pointer ``path``, or None."""
        target: Any = self.node
        for part in [p for p in path.strip("/").split("/") if p]:
            if not isinstance(target, dict):
                return None
            target = target.get(part)
        return target

    def update_properties(self, **values: Any) -> None:
        """Set node properties."""
        for key, value in values.items():
            self.set_field(f"/properties/{key}", value)

    def capabilities(self) -> dict[str, str]:
        """The node's capabilities as a dict."""
        return parse_capabilities(self.properties.get("capabilities"))

    def update_capabilities(self, **caps: str) -> None:
        """Add or replace capabilities."""
        merged = self.capabilities()
        merged.update({k: str(v) for k, v in caps.items()})
        self.set_field("/properties/capabilities", format_capabilities(merged))

    def add_port(self, mac: str, pxe_enabled: bool) -> None:
        """Ask for a new port (ignored when the MAC already has one)."""
        if mac not in self.ports:
            self.new_ports[mac] = pxe_enabled

    def delete_port(self, mac: str) -> None:
        """Ask to delete the port with MAC ``mac``."""
        if mac in self.ports:
            self.deleted_ports.add(mac)
        self.new_ports.pop(mac, None)

    def patch_port(self, mac: str, patch: list[dict[str, Any]]) -> None:
        """Ask to patch the existing port with MAC ``mac``."""
        self.port_patches.setdefault(mac, []).extend(patch)

    def add_trait(self, trait: str) -> None:
        self.traits_added.add(trait)
        self.traits_removed.discard(trait)

    def remove_trait(self, trait: str) -> None:
        self.traits_removed.add(trait)
        self.traits_added.discard(trait)

    def node_patch(self) -> list[dict[str, Any]]:
        """JSON patch turning Ironic's node into ``self.node``.

        Dict fields (properties, extra, driver_info...) are patched key by key, so
        concurrent edits of other keys survive; other fields are replaced whole.
        """
        patch: list[dict[str, Any]] = []
        for field, new in self.node.items():
            if field in _READ_ONLY:
                continue
            old = self.original.get(field)
            if new == old:
                continue
            if isinstance(new, dict) and isinstance(old, dict):
                for key, value in new.items():
                    if old.get(key, _MISSING) != value:
                        patch.append({"op": "add", "path": f"/{field}/{key}",
                                      "value": value})
                for key in old.keys() - new.keys():
                    patch.append({"op": "remove", "path": f"/{field}/{key}"})
            else:
                patch.append({"op": "add", "path": f"/{field}", "value": new})
        return patch

    def view(self) -> dict[str, Any]:
        """The node as rules see it: Ironic's fields plus pending changes."""
        view = copy.deepcopy(self.node)
        view["traits"] = sorted((set(view.get("traits") or []) | self.traits_added)
                                - self.traits_removed)
        return view
