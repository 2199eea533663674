"""Writing what hooks and rules recorded on a ``NodeInfo`` to Ironic.

Everything that can be refused is checked before the first write: a new port whose
MAC Ironic already has on another node stops processing with ``PortConflict``
and leaves the node as it was. The port calls then come before the node patch, so
a port call that still fails (a race with another client) leaves the node's
properties untouched too.
"""

import logging
from typing import Any

from discoverd import exception
from discoverd.node_info import NodeInfo

LOG = logging.getLogger(__name__)


def check_conflicts(ironic: Any, node_info: NodeInfo) -> None:
    """Refuse new ports whose MAC belongs to another node in Ironic.

    :raises PortConflict: naming the MAC, the port and the node that owns it.
    """
    uuid = node_info.uuid
    for mac in sorted(node_info.new_ports):
        port = ironic.find_port(mac)
        if port is not None and port["node_uuid"] != uuid:
            raise exception.PortConflict(node=uuid, mac=mac, port=port["uuid"],
                                         owner=port["node_uuid"])


def write(ironic: Any, node_info: NodeInfo) -> None:
    """Check, then apply ports, the node patch and traits of ``node_info``.

    :raises PortConflict: before anything is written.
    :raises IronicError: when Ironic refuses a call.
    """
    uuid = node_info.uuid
    check_conflicts(ironic, node_info)
    for mac, pxe in sorted(node_info.new_ports.items()):
        LOG.info("[node %s] creating port %s (pxe_enabled=%s)", uuid, mac, pxe)
        ironic.create_port(uuid, mac, pxe)
    for mac, patch in sorted(node_info.port_patches.items()):
        # A port created just above (e.g. with its LLDP local_link_connection) has
        # no known UUID yet: look it up by its MAC.
        port = node_info.ports.get(mac) or ironic.find_port(mac)
        if port is None:
            raise exception.IronicError(call="patch_port", node=uuid,
                                        reason=f"no port with MAC {mac} to patch")
        ironic.patch_port(uuid, port["uuid"], patch)
    for mac in sorted(node_info.deleted_ports):
        LOG.info("[node %s] deleting port %s", uuid, mac)
        ironic.delete_port(uuid, node_info.ports[mac]["uuid"])
    ironic.patch_node(uuid, node_info.node_patch())
    for trait in sorted(node_info.traits_added):
        ironic.add_trait(uuid, trait)
    for trait in sorted(node_info.traits_removed):
        ironic.remove_trait(uuid, trait)
