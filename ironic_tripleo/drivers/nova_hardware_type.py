"""The ``tripleo-nova`` hardware type: Nova servers (QuintupleO) as bare-metal nodes.

The same boot, deploy, inspect, vendor and console interfaces as ``tripleo-ipmi``
(inherited, in the same order: the first enabled one is a node's default); only
power and management go through the cloud's API instead of a BMC.
"""

from __future__ import annotations

from ironic_tripleo.drivers.hardware_type import TripleOIPMIHardware
from ironic_tripleo.quintupleo.management import NovaManagement
from ironic_tripleo.quintupleo.power import NovaPower


class TripleONovaHardware(TripleOIPMIHardware):
    """Nova servers driven through the cloud's API (one connection per cloud).

    A product hardware type: no fake interface (tests use Ironic's fake-hardware).
    """

    @property
    def supported_power_interfaces(self) -> list[type]:
        """``nova`` only."""
        return [NovaPower]

    @property
    def supported_management_interfaces(self) -> list[type]:
        """``nova`` only."""
        return [NovaManagement]
