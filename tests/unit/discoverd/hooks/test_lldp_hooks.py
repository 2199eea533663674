"""lldp_basic, local_link_connection and physnet_cidr_map on plain data."""

import pytest

from discoverd.exception import HookError
from discoverd.hooks.interfaces import PortsHook, ValidateInterfacesHook
from discoverd.hooks.lldp import LLDPBasicHook, LocalLinkConnectionHook, PhysnetCidrMapHook
from discoverd.node_info import NodeInfo
from tests.harness.discoverd_payloads import ramdisk_payload
from tests.harness.lldp_frames import as_ramdisk_reports, switch_tlvs

MACS = ["52:54:00:00:00:01", "52:54:00:00:00:02"]
LLC = {"switch_id": "52:54:00:ab:cd:ef", "port_id": "Ethernet1/7", "switch_info": "leaf-1"}


def data_with_lldp():
    data = ramdisk_payload(MACS)  # eth0 has 198.51.100.10, eth1 no address
    data["inventory"]["interfaces"][0]["lldp"] = as_ramdisk_reports(
        switch_tlvs("52:54:00:ab:cd:ef", "Ethernet1/7", "leaf-1"))
    data["inventory"]["interfaces"][1]["lldp"] = None
    ValidateInterfacesHook.with_options(add_ports="all").before_processing(data)
    LLDPBasicHook().before_processing(data)
    return data


def info(existing=()):
    return NodeInfo.from_ironic({"id": "n1", "properties": {}, "extra": {}, "traits": []},
                                [{"uuid": f"p-{m}", "address": m, "pxe_enabled": True}
                                 for m in existing])


def test_lldp_basic_adds_lldp_processed():
    data = data_with_lldp()
    eth0, eth1 = data["all_interfaces"]["eth0"], data["all_interfaces"]["eth1"]
    assert eth0["lldp_processed"]["switch_port_id"] == "Ethernet1/7"
    assert eth0["lldp_processed"]["switch_port_vlans"] == [{"id": 100, "name": "provisioning"}]
    assert "lldp_processed" not in eth1


def test_lldp_basic_refuses_garbage():
    data = ramdisk_payload(MACS)
    data["inventory"]["interfaces"][0]["lldp"] = [[1, "not hex"]]
    ValidateInterfacesHook().before_processing(data)
    with pytest.raises(HookError, match="eth0: LLDP data unusable"):
        LLDPBasicHook().before_processing(data)


@pytest.mark.parametrize("existing", [(), (MACS[0],)])
def test_local_link_connection_on_new_and_existing_ports(existing):
    data, node = data_with_lldp(), info(existing)
    PortsHook().before_update(data, node)
    LocalLinkConnectionHook().before_update(data, node)
    assert node.port_patches == {MACS[0]: [{"op": "add", "path": "/local_link_connection",
                                            "value": LLC}]}


def test_physnet_cidr_map():
    data, node = data_with_lldp(), info()
    PortsHook().before_update(data, node)
    PhysnetCidrMapHook.with_options(
        cidr_map=["203.0.113.0/24:storage", "198.51.100.0/24:provisioning"]
    ).before_update(data, node)
    assert node.port_patches == {MACS[0]: [{"op": "add", "path": "/physical_network",
                                            "value": "provisioning"}]}
    PhysnetCidrMapHook().before_update(data, info())  # no map: nothing, no error
    with pytest.raises(HookError, match="not CIDR:physnet"):
        PhysnetCidrMapHook.with_options(cidr_map=["198.51.100.0/24"]).before_update(data, node)
