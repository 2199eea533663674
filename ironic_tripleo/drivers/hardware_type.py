"""The ``tripleo-ipmi`` hardware type: native IPMI (pyghmi) power and management.

Ironic matches interfaces by exact class, and the first supported interface that is
enabled is a node's default, so the order of each list matters.
"""

from __future__ import annotations

from ironic.drivers import generic
from ironic.drivers.modules import agent, fake, inspector, ipxe, noop, pxe

from ironic_tripleo.deploy.interface import ISCSIDeploy
from ironic_tripleo.inspect.discoverd import DiscoverdInspect
from ironic_tripleo.ipmi.management import PyghmiManagement
from ironic_tripleo.ipmi.power import PyghmiPower


class TripleOIPMIHardware(generic.GenericHardware):
    """Bare-metal nodes behind IPMI BMCs, driven through pyghmi sessions."""

    @property
    def supported_power_interfaces(self) -> list[type]:
        """``pyghmi`` (default), ``fake`` for tests."""
        return [PyghmiPower, fake.FakePower]

    @property
    def supported_management_interfaces(self) -> list[type]:
        """``pyghmi`` (default), ``fake`` for tests."""
        return [PyghmiManagement, fake.FakeManagement]

    @property
    def supported_boot_interfaces(self) -> list[type]:
        """Ironic's own ``pxe`` and ``ipxe``; ``fake`` for tests."""
        return [pxe.PXEBoot, ipxe.iPXEBoot, fake.FakeBoot]

    @property
    def supported_deploy_interfaces(self) -> list[type]:
        """``fake`` (default, for tests), ``iscsi``; Ironic's ``direct`` as a fallback."""
        return [fake.FakeDeploy, ISCSIDeploy, agent.AgentDeploy]

    @property
    def supported_inspect_interfaces(self) -> list[type]:
        """``no-inspect`` (default), ``fake``; ``discoverd`` (inspection by discoverd);
        Ironic's ``agent`` (built-in inspection)."""
        return [noop.NoInspect, fake.FakeInspect, DiscoverdInspect, inspector.AgentInspect]

    @property
    def supported_vendor_interfaces(self) -> list[type]:
        """``no-vendor``; ``fake`` for tests."""
        return [noop.NoVendor, fake.FakeVendorB]

    @property
    def supported_console_interfaces(self) -> list[type]:
        """``no-console``: no serial-over-LAN yet."""
        return [noop.NoConsole]
