"""validate_interfaces and ports: the node's NICs and its Ironic ports.

Options: ``[validate_interfaces] add_ports``; ``[ports] keep_ports`` and
``update_pxe_enabled`` (each also read from ``[processing]``, where they were before).
"""

import logging
from typing import Any

from oslo_config import cfg

from discoverd.exception import HookError
from discoverd.hooks.base import ProcessingHook
from discoverd.lookup import normalize_mac
from discoverd.node_info import NodeInfo

LOG = logging.getLogger(__name__)


def all_interfaces(inventory: dict[str, Any], boot_interface: str | None
                   ) -> dict[str, dict[str, Any]]:
    """Return ``{name: {mac, ip, pxe}}`` for every interface with a valid MAC."""
    pxe_mac = normalize_mac(boot_interface)
    result = {}
    for iface in inventory.get("interfaces") or []:
        if not isinstance(iface, dict):
            continue
        mac = normalize_mac(iface.get("mac_address"))
        name = iface.get("name")
        if not mac or not isinstance(name, str):
            LOG.warning("ignoring interface %r: no name or invalid MAC", iface)
            continue
        result[name] = {"mac": mac, "ip": iface.get("ipv4_address"),
                        "pxe": pxe_mac is not None and mac == pxe_mac}
    return result


def select_interfaces(interfaces: dict[str, dict[str, Any]], add_ports: str
                      ) -> dict[str, dict[str, Any]]:
    """Return the interfaces that should become ports (``pxe``, ``active`` or ``all``).

    ``pxe`` falls back to the active interfaces when the ramdisk did not say which
    interface it booted from.
    """
    if add_ports == "all":
        return dict(interfaces)
    if add_ports == "pxe":
        pxe = {n: i for n, i in interfaces.items() if i["pxe"]}
        if pxe:
            return pxe
    return {n: i for n, i in interfaces.items() if i.get("ip")}


class ValidateInterfacesHook(ProcessingHook):
    """Fill ``all_interfaces``, ``interfaces`` and ``macs`` in the data."""

    group = "validate_interfaces"
    opts = [
        cfg.StrOpt("add_ports", default="pxe", choices=["pxe", "all", "active"],
                   deprecated_group="processing",
                   help="Which interfaces become Ironic ports: only the PXE boot "
                        "interface, all of them, or those with an IP address."),
    ]

    def before_processing(self, introspection_data: dict[str, Any], **kwargs: Any) -> None:
        found = all_interfaces(introspection_data.get("inventory") or {},
                               introspection_data.get("boot_interface"))
        if not found:
            raise HookError("the inventory has no interface with a valid MAC address")
        chosen = select_interfaces(found, self.options.add_ports)
        if not chosen:
            raise HookError(f"no interface qualifies for add_ports={self.options.add_ports}"
                            f" among {', '.join(sorted(found))}")
        introspection_data["all_interfaces"] = found
        introspection_data["interfaces"] = chosen
        introspection_data["macs"] = sorted(i["mac"] for i in chosen.values())


class PortsHook(ProcessingHook):
    """Create ports for new MACs, drop stale ones (``keep_ports``), set pxe_enabled."""

    dependencies = ["validate_interfaces"]
    group = "ports"
    opts = [
        cfg.StrOpt("keep_ports", default="all", choices=["all", "present", "added"],
                   deprecated_group="processing",
                   help="Which existing ports to keep: all, those whose MAC the ramdisk "
                        "saw, or only those added by this introspection."),
        cfg.BoolOpt("update_pxe_enabled", default=True, deprecated_group="processing",
                    help="Set pxe_enabled on the boot interface's port and clear it on "
                         "the others."),
    ]

    def before_update(self, introspection_data: dict[str, Any], node_info: NodeInfo,
                      **kwargs: Any) -> None:
        found = introspection_data.get("all_interfaces") or {}
        chosen = introspection_data.get("interfaces") or {}
        pxe_macs = {i["mac"] for i in found.values() if i["pxe"]}
        for iface in chosen.values():
            node_info.add_port(iface["mac"], pxe_enabled=iface["mac"] in pxe_macs
                               or not pxe_macs)
        keep_ports = self.options.keep_ports
        if keep_ports != "all":
            keep = ({i["mac"] for i in found.values()} if keep_ports == "present"
                    else {i["mac"] for i in chosen.values()})
            for mac in list(node_info.ports):
                if mac not in keep:
                    node_info.delete_port(mac)
        if self.options.update_pxe_enabled and pxe_macs:
            for mac, port in node_info.ports.items():
                wanted = mac in pxe_macs
                if mac not in node_info.deleted_ports and port.get("pxe_enabled") != wanted:
                    node_info.patch_port(mac, [{"op": "replace", "path": "/pxe_enabled",
                                                "value": wanted}])
