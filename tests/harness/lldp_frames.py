"""LLDP frames as a switch sends them, built for tests (IEEE 802.1AB TLVs)."""

from __future__ import annotations

LLDP_MULTICAST = bytes.fromhex("0180c200000e")


def tlv(tlv_type: int, value: bytes) -> bytes:
    return ((tlv_type << 9) | len(value)).to_bytes(2, "big") + value


def switch_tlvs(chassis_mac: str, port: str, system_name: str, vlan: int = 100,
                mgmt_ipv4: str = "203.0.113.2", mtu: int = 9000) -> list[bytes]:
    """The TLVs of one switch port: chassis MAC, interface-name port ID, TTL, port
    description, system name and description, capabilities (bridge, router; bridge
    enabled), an IPv4 management address, 802.1 port VLAN and VLAN name, 802.3 MTU."""
    mac = bytes.fromhex(chassis_mac.replace(":", ""))
    ip = bytes(int(x) for x in mgmt_ipv4.split("."))
    return [
        tlv(1, b"\x04" + mac),
        tlv(2, b"\x05" + port.encode()),
        tlv(3, (120).to_bytes(2, "big")),
        tlv(4, f"uplink of {port}".encode()),
        tlv(5, system_name.encode()),
        tlv(6, b"Test switch OS 1.0"),
        tlv(7, (0b10100).to_bytes(2, "big") + (0b00100).to_bytes(2, "big")),
        tlv(8, bytes([5, 1]) + ip + b"\x02" + (7).to_bytes(4, "big") + b"\x00"),
        tlv(127, bytes.fromhex("0080c2") + b"\x01" + vlan.to_bytes(2, "big")),
        tlv(127, bytes.fromhex("0080c2") + b"\x03" + vlan.to_bytes(2, "big")
            + bytes([len(b"provisioning")]) + b"provisioning"),
        tlv(127, bytes.fromhex("00120f") + b"\x04" + mtu.to_bytes(2, "big")),
    ]


def frame(source_mac: str, tlvs: list[bytes]) -> bytes:
    """An Ethernet frame to the LLDP multicast address, End TLV appended."""
    src = bytes.fromhex(source_mac.replace(":", ""))
    return LLDP_MULTICAST + src + (0x88CC).to_bytes(2, "big") + b"".join(tlvs) + tlv(0, b"")


def as_ramdisk_reports(tlvs: list[bytes]) -> list[list]:
    """``[[type, hex], ...]`` as the agent sends them (ironic-python-agent's format)."""
    result = []
    for raw in tlvs:
        header = int.from_bytes(raw[:2], "big")
        result.append([header >> 9, raw[2:].hex()])
    return result
