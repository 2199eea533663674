"""The ``tripleo-nova`` hardware type: Nova servers (QuintupleO) as bare-metal nodes.

Ironic matches interfaces by exact class, and the first supported interface that is
enabled is a node's default, so the order of each list matters.
"""

from __future__ import annotations

from ironic.drivers import generic
from ironic.drivers.modules import agent, inspector, ipxe, noop, pxe

from ironic_tripleo.deploy.interface import ISCSIDeploy
from ironic_tripleo.inspect.discoverd import DiscoverdInspect
from ironic_tripleo.quintupleo.management import NovaManagement
from ironic_tripleo.quintupleo.power import NovaPower


class TripleONovaHardware(generic.GenericHardware):
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

    @property
    def supported_boot_interfaces(self) -> list[type]:
        """Ironic's own ``pxe`` (default) and ``ipxe``."""
        return [pxe.PXEBoot, ipxe.iPXEBoot]

    @property
    def supported_deploy_interfaces(self) -> list[type]:
        """``iscsi`` (default); Ironic's ``direct`` as the alternative."""
        return [ISCSIDeploy, agent.AgentDeploy]

    @property
    def supported_inspect_interfaces(self) -> list[type]:
        """``discoverd`` (default); Ironic's ``agent``; ``no-inspect`` to opt out."""
        return [DiscoverdInspect, inspector.AgentInspect, noop.NoInspect]

    @property
    def supported_vendor_interfaces(self) -> list[type]:
        """``no-vendor``."""
        return [noop.NoVendor]

    @property
    def supported_console_interfaces(self) -> list[type]:
        """``no-console``."""
        return [noop.NoConsole]
