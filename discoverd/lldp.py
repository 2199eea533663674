"""LLDP TLVs as the ramdisk reports them, turned into ``lldp_processed`` fields.

The ramdisk sends, per interface, ironic-python-agent's format: a list of
``[tlv_type, value_as_hex]`` pairs, one per TLV of the first LLDPDU heard (IEEE
802.1AB). The result uses ironic-inspector's field names (``switch_chassis_id``,
``switch_port_id``, ``switch_system_name``, ...), which is what
``openstack baremetal introspection interface list`` shows.

Written here rather than imported: the parsers in ironic-inspector and Ironic live
inside those services (their plugin trees and configuration), and discoverd does not
depend on either. Only the TLVs an operator or the port's ``local_link_connection``
needs are decoded; others are skipped. No I/O.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from discoverd.exception import LLDPError

# Basic TLV types (802.1AB section 8.4)
CHASSIS_ID, PORT_ID, TTL, PORT_DESCRIPTION, SYSTEM_NAME, SYSTEM_DESCRIPTION = 1, 2, 3, 4, 5, 6
CAPABILITIES, MANAGEMENT_ADDRESS, ORGANIZATIONAL = 7, 8, 127
# Chassis ID and port ID subtypes whose value is a MAC address
CHASSIS_MAC, PORT_MAC = 4, 3
# Subtypes whose value is a network address (first byte: IANA address family)
CHASSIS_NETWORK_ADDRESS, PORT_NETWORK_ADDRESS = 5, 4
# Organizationally specific TLVs
OUI_8021, OUI_8023 = "0080c2", "00120f"
DOT1_PORT_VLAN_ID, DOT1_VLAN_NAME = 1, 3
DOT3_MTU = 4
CAPABILITY_NAMES = ("Other", "Repeater", "Bridge", "WLAN AP", "Router", "Telephone",
                    "DOCSIS cable device", "Station only", "C-VLAN", "S-VLAN", "TPMR")


def _mac(value: bytes) -> str:
    return ":".join(f"{b:02x}" for b in value)


def _text(value: bytes) -> str:
    return value.decode("utf-8", errors="replace").strip("\x00").strip()


def _network_address(value: bytes) -> str:
    """An IANA-family-prefixed address (1 = IPv4, 2 = IPv6) as text."""
    family, raw = value[:1], value[1:]
    if family == b"\x01" and len(raw) == 4 or family == b"\x02" and len(raw) == 16:
        return str(ipaddress.ip_address(raw))
    return raw.hex()


def _id(subtype: int, value: bytes, mac_subtype: int, address_subtype: int) -> str:
    if subtype == mac_subtype and len(value) == 6:
        return _mac(value)
    if subtype == address_subtype:
        return _network_address(value)
    return _text(value)


def _capabilities(value: bytes) -> tuple[list[str], list[str]]:
    supported, enabled = (int.from_bytes(value[0:2], "big"), int.from_bytes(value[2:4], "big"))
    names = [(bit, name) for bit, name in enumerate(CAPABILITY_NAMES)]
    return ([n for b, n in names if supported >> b & 1],
            [n for b, n in names if enabled >> b & 1])


def _management_address(value: bytes) -> str | None:
    length = value[0] if value else 0
    return _network_address(value[1:1 + length]) if length >= 2 else None


def _organizational(value: bytes, result: dict[str, Any]) -> None:
    if len(value) < 4:
        return
    oui, subtype, body = value[:3].hex(), value[3], value[4:]
    if oui == OUI_8021 and subtype == DOT1_PORT_VLAN_ID and len(body) >= 2:
        result["switch_port_untagged_vlan_id"] = int.from_bytes(body[:2], "big")
    elif oui == OUI_8021 and subtype == DOT1_VLAN_NAME and len(body) >= 3:
        vlan, length = int.from_bytes(body[:2], "big"), body[2]
        result.setdefault("switch_port_vlans", []).append(
            {"id": vlan, "name": _text(body[3:3 + length])})
    elif oui == OUI_8023 and subtype == DOT3_MTU and len(body) >= 2:
        result["switch_port_mtu"] = int.from_bytes(body[:2], "big")


def decode(tlvs: Any) -> list[tuple[int, bytes]]:
    """``[[type, hex], ...]`` as ``(type, bytes)`` pairs.

    :raises LLDPError: for anything else.
    """
    if not isinstance(tlvs, list):
        raise LLDPError(f"expected a list of [type, hex value] pairs, got {type(tlvs).__name__}")
    result = []
    for item in tlvs:
        if not (isinstance(item, list | tuple) and len(item) == 2
                and isinstance(item[0], int) and isinstance(item[1], str)):
            raise LLDPError(f"expected [type, hex value], got {item!r:.80}")
        try:
            result.append((item[0], bytes.fromhex(item[1])))
        except ValueError:
            raise LLDPError(f"TLV {item[0]}: value {item[1]!r:.80} is not hex") from None
    return result


def process(tlvs: Any) -> dict[str, Any]:
    """The ``lldp_processed`` fields of one interface's TLV list.

    :raises LLDPError: when the list is not in the ramdisk's format.
    """
    result: dict[str, Any] = {}
    for tlv_type, value in decode(tlvs):
        if tlv_type == CHASSIS_ID and len(value) >= 2:
            result["switch_chassis_id"] = _id(value[0], value[1:], CHASSIS_MAC,
                                              CHASSIS_NETWORK_ADDRESS)
        elif tlv_type == PORT_ID and len(value) >= 2:
            result["switch_port_id"] = _id(value[0], value[1:], PORT_MAC, PORT_NETWORK_ADDRESS)
        elif tlv_type == PORT_DESCRIPTION:
            result["switch_port_description"] = _text(value)
        elif tlv_type == SYSTEM_NAME:
            result["switch_system_name"] = _text(value)
        elif tlv_type == SYSTEM_DESCRIPTION:
            result["switch_system_description"] = _text(value)
        elif tlv_type == CAPABILITIES and len(value) >= 4:
            supported, enabled = _capabilities(value)
            result["switch_capabilities_support"] = supported
            result["switch_capabilities_enabled"] = enabled
        elif tlv_type == MANAGEMENT_ADDRESS:
            address = _management_address(value)
            if address:
                result.setdefault("switch_mgmt_addresses", []).append(address)
        elif tlv_type == ORGANIZATIONAL:
            _organizational(value, result)
    return result


def local_link_connection(processed: dict[str, Any]) -> dict[str, str]:
    """Ironic's port ``local_link_connection`` from ``lldp_processed``: ``switch_id``
    (the chassis ID when it is a MAC, as Ironic requires), ``port_id`` and
    ``switch_info`` (the system name); keys without a value are left out."""
    result = {}
    chassis = processed.get("switch_chassis_id")
    if isinstance(chassis, str) and len(chassis.split(":")) == 6:
        result["switch_id"] = chassis
    if processed.get("switch_port_id"):
        result["port_id"] = processed["switch_port_id"]
    if processed.get("switch_system_name"):
        result["switch_info"] = processed["switch_system_name"]
    return result
