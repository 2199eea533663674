"""The ``tripleo-ipmi`` hardware type: native IPMI (pyghmi) power and management.

Ironic matches interfaces by exact class, and the first supported interface that is
enabled is a node's default, so the order of each list matters. This is a product
hardware type: it lists no fake interface, so a conductor that also enables Ironic's
``fake`` interfaces (for ``fake-hardware``) still gives a ``tripleo-ipmi`` node what a
production node needs: ``pyghmi`` power and management, ``iscsi`` deploy and
``discoverd`` inspection. Tests and the lab that want fake interfaces use Ironic's
``fake-hardware``, or ``fake-tripleo`` (``ironic_tripleo.lab.hardware_type``) when they
need our deploy or inspect interface behind fake power.
"""

from __future__ import annotations

from ironic.drivers import generic
from ironic.drivers.modules import agent, inspector, ipxe, noop, pxe

from ironic_tripleo.deploy.interface import ISCSIDeploy
from ironic_tripleo.inspect.discoverd import DiscoverdInspect
from ironic_tripleo.ipmi.management import PyghmiManagement
from ironic_tripleo.ipmi.power import PyghmiPower


class TripleOIPMIHardware(generic.GenericHardware):
    """Bare-metal nodes behind IPMI BMCs, driven through pyghmi sessions."""

    @property
    def supported_power_interfaces(self) -> list[type]:
        """``pyghmi`` only."""
        return [PyghmiPower]

    @property
    def supported_management_interfaces(self) -> list[type]:
        """``pyghmi`` only."""
        return [PyghmiManagement]

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
        """``no-console``: no serial-over-LAN yet."""
        return [noop.NoConsole]
