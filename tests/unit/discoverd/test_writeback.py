"""writeback: conflicts are found before the first write; ports before the node."""

import pytest

from discoverd import exception, writeback
from discoverd.node_info import NodeInfo
from tests.harness.fake_ironic import FakeIronic


def _node_info(ironic: FakeIronic, uuid: str) -> NodeInfo:
    return NodeInfo.from_ironic(ironic.get_node(uuid), ironic.list_ports(uuid))


def test_port_of_another_node_writes_nothing():
    ironic = FakeIronic()
    mine = ironic.add_node("n0", ("52:54:00:00:00:01",))
    other = ironic.add_node("n1", ("52:54:00:00:00:02",))
    info = _node_info(ironic, mine)
    info.update_properties(cpus=7)
    info.add_port("52:54:00:00:00:02", pxe_enabled=True)
    with pytest.raises(exception.PortConflict) as err:
        writeback.write(ironic, info)
    assert err.value.code == 409
    assert "52:54:00:00:00:02" in str(err.value) and other in str(err.value)
    assert [c[0] for c in ironic.calls] == ["find_port"]


def test_ports_then_node_then_traits():
    ironic = FakeIronic()
    mine = ironic.add_node("n0", ("52:54:00:00:00:01",))
    info = _node_info(ironic, mine)
    info.update_properties(cpus=7)
    info.add_port("52:54:00:00:00:03", pxe_enabled=False)
    info.add_trait("CUSTOM_X")
    writeback.write(ironic, info)
    assert [c[0] for c in ironic.calls] == ["find_port", "create_port", "patch_node",
                                            "add_trait"]
    assert ironic.nodes[mine]["properties"]["cpus"] == 7


def test_patch_of_a_port_created_in_the_same_write():
    """A hook's patch (LLDP local_link_connection) of a port that did not exist before:
    the port is created, then found by its MAC and patched."""
    ironic = FakeIronic()
    mine = ironic.add_node("n0", ("52:54:00:00:00:01",))
    info = _node_info(ironic, mine)
    info.add_port("52:54:00:00:00:03", pxe_enabled=False)
    llc = {"switch_id": "52:54:00:ab:cd:ef", "port_id": "Ethernet1/7"}
    info.patch_port("52:54:00:00:00:03", [{"op": "add", "path": "/local_link_connection",
                                           "value": llc}])
    writeback.write(ironic, info)
    port, = [p for p in ironic.ports.values() if p["address"] == "52:54:00:00:00:03"]
    assert port["local_link_connection"] == llc
