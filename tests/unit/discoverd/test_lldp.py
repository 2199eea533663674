"""LLDP TLVs to lldp_processed and a port's local_link_connection."""

import pytest

from discoverd import lldp
from discoverd.exception import LLDPError
from tests.harness.lldp_frames import as_ramdisk_reports, switch_tlvs, tlv


def test_processed_fields():
    tlvs = as_ramdisk_reports(switch_tlvs("52:54:00:AB:CD:EF", "Ethernet1/7", "leaf-1"))
    assert lldp.process(tlvs) == {
        "switch_chassis_id": "52:54:00:ab:cd:ef",
        "switch_port_id": "Ethernet1/7",
        "switch_port_description": "uplink of Ethernet1/7",
        "switch_system_name": "leaf-1",
        "switch_system_description": "Test switch OS 1.0",
        "switch_capabilities_support": ["Bridge", "Router"],
        "switch_capabilities_enabled": ["Bridge"],
        "switch_mgmt_addresses": ["203.0.113.2"],
        "switch_port_untagged_vlan_id": 100,
        "switch_port_vlans": [{"id": 100, "name": "provisioning"}],
        "switch_port_mtu": 9000,
    }


def test_port_id_as_mac_and_chassis_as_name():
    tlvs = as_ramdisk_reports([tlv(1, b"\x07switch-a"), tlv(2, b"\x03" + bytes(range(6)))])
    processed = lldp.process(tlvs)
    assert processed == {"switch_chassis_id": "switch-a", "switch_port_id": "00:01:02:03:04:05"}
    # Ironic wants a MAC (or datapath id) as switch_id: none here
    assert lldp.local_link_connection(processed) == {"port_id": "00:01:02:03:04:05"}


def test_local_link_connection():
    tlvs = as_ramdisk_reports(switch_tlvs("52:54:00:ab:cd:ef", "Ethernet1/7", "leaf-1"))
    assert lldp.local_link_connection(lldp.process(tlvs)) == {
        "switch_id": "52:54:00:ab:cd:ef", "port_id": "Ethernet1/7", "switch_info": "leaf-1"}


@pytest.mark.parametrize("bad", ["x", [[1]], [["1", "00"]], [[1, "zz"]], {"a": 1}])
def test_malformed(bad):
    with pytest.raises(LLDPError):
        lldp.process(bad)


def test_short_values_are_skipped():
    assert lldp.process([[1, "04"], [7, "00"], [127, "0080"], [8, "00"]]) == {}
