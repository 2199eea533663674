"""An in-memory stand-in for ``discoverd.ironic.IronicClient`` (unit tests only)."""

import copy
import uuid as uuidlib
from typing import Any

from discoverd import exception
from discoverd.node_info import parse_capabilities


class FakeIronic:
    """Nodes and ports in dicts; records every call in ``calls``."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.ports: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple] = []
        self.fail: dict[str, Exception] = {}
        #: called with the node UUID inside ``set_provision_state`` (Ironic's conductor)
        self.on_provision: Any = None

    def add_node(self, name: str | None = None, macs: tuple[str, ...] = (),
                 bmc: str | None = None, **fields: Any) -> str:
        uuid = str(uuidlib.uuid4())
        node = {"id": uuid, "name": name, "provision_state": "manageable",
                "power_state": "power off", "is_maintenance": False, "properties": {},
                "extra": {}, "driver_info": {"ipmi_address": bmc} if bmc else {},
                "traits": []}
        node.update(fields)
        self.nodes[uuid] = node
        for mac in macs:
            self.create_port(uuid, mac, False, record=False)
        return uuid

    def _node(self, ident: str) -> dict[str, Any]:
        for node in self.nodes.values():
            if ident in (node["id"], node["name"]):
                return node
        raise exception.NodeNotFound(ident=ident)

    def _record(self, call: str, *args: Any) -> None:
        self.calls.append((call, *args))
        if call in self.fail:
            raise self.fail[call]

    def get_node(self, ident: str) -> dict[str, Any]:
        return copy.deepcopy(self._node(ident))

    def list_ports(self, node: str) -> list[dict[str, Any]]:
        return [copy.deepcopy(p) for p in self.ports.values() if p["node"] == node]

    def find_port(self, address: str) -> dict[str, Any] | None:
        self._record("find_port", address)
        for port in self.ports.values():
            if port["address"] == address:
                return {"uuid": port["uuid"], "address": address, "node_uuid": port["node"]}
        return None

    def list_all_macs(self) -> list[str]:
        self._record("list_all_macs")
        return [p["address"] for p in self.ports.values()]

    def node_profiles(self) -> dict[str, str]:
        self._record("node_profiles")
        return {uuid: caps["profile"] for uuid, node in self.nodes.items()
                if "profile" in (caps := parse_capabilities(
                    (node.get("properties") or {}).get("capabilities")))}

    def set_boot_device(self, node: str, device: str) -> None:
        self._record("set_boot_device", node, device)

    def set_power_state(self, node: str, target: str) -> None:
        self._record("set_power_state", node, target)
        self._node(node)["power_state"] = "power off" if target == "power off" else "power on"

    def set_provision_state(self, node: str, target: str) -> None:
        self._record("set_provision_state", node, target)
        if target == "inspect":
            self._node(node)["provision_state"] = "inspecting"
        if self.on_provision is not None:
            self.on_provision(self._node(node)["id"])

    def patch_node(self, node: str, patch: list[dict[str, Any]]) -> None:
        self._record("patch_node", node, patch)
        target = self._node(node)
        for op in patch:
            parts = op["path"].strip("/").split("/")
            obj = target
            for part in parts[:-1]:
                obj = obj.setdefault(part, {})
            if op["op"] == "remove":
                obj.pop(parts[-1], None)
            else:
                obj[parts[-1]] = copy.deepcopy(op["value"])

    def create_node(self, driver: str, driver_info: dict[str, Any], **fields: Any
                    ) -> dict[str, Any]:
        self._record("create_node", driver, driver_info, fields)
        uuid = self.add_node(None, driver=driver, provision_state="enroll", **fields)
        self.nodes[uuid]["driver_info"] = dict(driver_info)
        return dict(self.nodes[uuid])

    def delete_node(self, node: str) -> None:
        self._record("delete_node", node)
        self.nodes.pop(node, None)
        for port in [p for p, v in self.ports.items() if v["node"] == node]:
            del self.ports[port]

    def create_port(self, node: str, address: str, pxe_enabled: bool,
                    record: bool = True) -> None:
        if record:
            self._record("create_port", node, address, pxe_enabled)
        if any(p["address"] == address for p in self.ports.values()):
            raise exception.IronicError(call="create_port", node=node,
                                        reason=f"MAC {address} already exists")
        port = str(uuidlib.uuid4())
        self.ports[port] = {"uuid": port, "address": address, "pxe_enabled": pxe_enabled,
                            "node": node}

    def delete_port(self, node: str, port: str) -> None:
        self._record("delete_port", node, port)
        self.ports.pop(port, None)

    def patch_port(self, node: str, port: str, patch: list[dict[str, Any]]) -> None:
        self._record("patch_port", node, port, patch)
        for op in patch:
            self.ports[port][op["path"].strip("/")] = op["value"]

    def add_trait(self, node: str, trait: str) -> None:
        self._record("add_trait", node, trait)
        self._node(node)["traits"].append(trait)

    def remove_trait(self, node: str, trait: str) -> None:
        self._record("remove_trait", node, trait)
        traits = self._node(node)["traits"]
        if trait in traits:
            traits.remove(trait)
