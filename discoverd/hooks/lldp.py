"""LLDP and networks: ``lldp_basic``, ``local_link_connection``, ``physnet_cidr_map``.

Named as ironic-inspector's hooks of the same job. ``lldp_basic`` parses each
interface's LLDP TLVs (sent by the ramdisk with ``ipa-collect-lldp=1``) into
``all_interfaces[<name>]["lldp_processed"]``, which the inspector client's
``openstack baremetal introspection interface list`` reads. ``local_link_connection``
sets the matching ports' ``local_link_connection`` (``switch_id``, ``port_id``,
``switch_info``); ``physnet_cidr_map`` sets a port's ``physical_network`` from
``[physnet_cidr_map] cidr_map`` and the interface's IPv4 address.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from oslo_config import cfg

from discoverd import lldp
from discoverd.exception import HookError, LLDPError
from discoverd.hooks.base import ProcessingHook
from discoverd.node_info import NodeInfo

LOG = logging.getLogger(__name__)


def _ports_to_patch(introspection_data: dict[str, Any], node_info: NodeInfo
                    ) -> list[tuple[str, dict[str, Any]]]:
    """``(mac, interface)`` of interfaces whose MAC has or gets a port."""
    return [(iface["mac"], iface)
            for iface in (introspection_data.get("all_interfaces") or {}).values()
            if iface["mac"] in node_info.ports or iface["mac"] in node_info.new_ports]


class LLDPBasicHook(ProcessingHook):
    """Add ``lldp_processed`` to every interface that reported LLDP TLVs."""

    dependencies = ["validate_interfaces"]

    def before_processing(self, introspection_data: dict[str, Any], **kwargs: Any) -> None:
        found = introspection_data.get("all_interfaces") or {}
        for iface in (introspection_data.get("inventory") or {}).get("interfaces") or []:
            if not isinstance(iface, dict) or not iface.get("lldp"):
                continue
            name = iface.get("name")
            if name not in found:
                continue
            try:
                found[name]["lldp_processed"] = lldp.process(iface["lldp"])
            except LLDPError as exc:
                raise HookError(f"interface {name}: LLDP data unusable: {exc}") from None
            LOG.debug("interface %s: LLDP %s", name, found[name]["lldp_processed"])


class LocalLinkConnectionHook(ProcessingHook):
    """Set ports' ``local_link_connection`` from the switch each NIC heard."""

    dependencies = ["validate_interfaces", "ports", "lldp_basic"]

    def before_update(self, introspection_data: dict[str, Any], node_info: NodeInfo,
                      **kwargs: Any) -> None:
        for mac, iface in _ports_to_patch(introspection_data, node_info):
            connection = lldp.local_link_connection(iface.get("lldp_processed") or {})
            if "switch_id" not in connection or "port_id" not in connection:
                continue  # Ironic refuses one without the other
            LOG.info("[node %s] port %s: local_link_connection %s", node_info.uuid, mac,
                     connection)
            node_info.patch_port(mac, [{"op": "add", "path": "/local_link_connection",
                                        "value": connection}])


def _parse_cidr_map(entries: list[str]) -> list[tuple[ipaddress.IPv4Network, str]]:
    result = []
    for entry in entries:
        cidr, sep, physnet = entry.rpartition(":")
        try:
            if not sep or not physnet:
                raise ValueError("no physical network after ':'")
            result.append((ipaddress.ip_network(cidr, strict=False), physnet))
        except ValueError as exc:
            raise HookError(f"[physnet_cidr_map] cidr_map entry {entry!r} is not "
                            f"CIDR:physnet ({exc})") from None
    return result


class PhysnetCidrMapHook(ProcessingHook):
    """Set ports' ``physical_network`` by the subnet of their interface's address."""

    dependencies = ["validate_interfaces", "ports"]
    group = "physnet_cidr_map"
    opts = [
        cfg.ListOpt("cidr_map", default=[],
                    help="Mapping of IP subnets to physical networks, as a list of "
                         "CIDR:physnet (e.g. 198.51.100.0/24:provisioning). A port "
                         "whose interface has an address in a subnet gets that "
                         "physical_network; the first matching entry wins."),
    ]

    def before_update(self, introspection_data: dict[str, Any], node_info: NodeInfo,
                      **kwargs: Any) -> None:
        mapping = _parse_cidr_map(self.options.cidr_map)
        if not mapping:
            return
        for mac, iface in _ports_to_patch(introspection_data, node_info):
            try:
                address = ipaddress.ip_address(iface.get("ip") or "")
            except ValueError:
                continue
            for network, physnet in mapping:
                if address in network:
                    LOG.info("[node %s] port %s: physical_network %s (%s in %s)",
                             node_info.uuid, mac, physnet, address, network)
                    node_info.patch_port(mac, [{"op": "add", "path": "/physical_network",
                                                "value": physnet}])
                    break
