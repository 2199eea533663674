"""A lab-only ML2 mechanism driver that binds every port on any host, with no agent.

The lab undercloud's Neutron runs no L2 agent, and none of Neutron's own mechanism
drivers binds a port without one (``openvswitch`` and ``linuxbridge`` want a live
agent on the host, ``ovn`` an OVN database): a server with a NIC then fails to build
(``binding_failed``). This driver binds each port's first segment on whatever host
Nova names, as ``VIF_TYPE_OTHER`` (a VIF nothing plugs; the fake virt driver and
Ironic's virt driver accept it) and marks it ACTIVE. Nothing is wired: no packet
moves. It is loaded by Neutron's ML2 through the entry point
``neutron.ml2.mechanism_drivers: tripleo_lab_bind_all`` and runs only in the
undercloud venv (it imports ``neutron_lib``, which ``.venv`` does not have).
"""

from __future__ import annotations

from typing import Any

from neutron_lib import constants
from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins.ml2 import api


class BindAllMechanismDriver(api.MechanismDriver):
    """Binds every port, on any host, to its first segment as ``VIF_TYPE_OTHER``."""

    def initialize(self) -> None:
        """Nothing to set up: no agents, no back end."""

    def bind_port(self, context: Any) -> None:
        """Bind ``context``'s port to the first segment offered (if any)."""
        vnic = context.current.get(portbindings.VNIC_TYPE, portbindings.VNIC_NORMAL)
        if vnic not in (portbindings.VNIC_NORMAL, portbindings.VNIC_BAREMETAL):
            return
        segments = context.segments_to_bind
        if segments:
            context.set_binding(segments[0][api.ID], portbindings.VIF_TYPE_OTHER,
                                {portbindings.CAP_PORT_FILTER: False},
                                status=constants.PORT_STATUS_ACTIVE)
