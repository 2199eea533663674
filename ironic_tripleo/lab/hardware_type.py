"""``fake-tripleo``: Ironic's ``fake-hardware`` that also offers our deploy and inspect.

For the lab and the tests only. The product hardware type ``tripleo-ipmi`` lists no
fake interface, and Ironic's ``fake-hardware`` knows neither ``iscsi`` nor
``discoverd``, so a test that drives our deploy or inspect interface behind fake
power, management and boot enables this type instead. Its defaults are
``fake-hardware``'s (the fakes first); nodes name ``iscsi`` or ``discoverd`` (or the
conductor enables only those).
"""

from __future__ import annotations

from ironic.drivers import fake_hardware

from ironic_tripleo.deploy.interface import ISCSIDeploy
from ironic_tripleo.inspect.discoverd import DiscoverdInspect


class FakeTripleOHardware(fake_hardware.FakeHardware):
    """Fake power, management and boot; our ``iscsi`` deploy and ``discoverd`` inspect."""

    @property
    def supported_deploy_interfaces(self) -> list[type]:
        """``fake-hardware``'s, then ``iscsi``."""
        return [*super().supported_deploy_interfaces, ISCSIDeploy]

    @property
    def supported_inspect_interfaces(self) -> list[type]:
        """``fake-hardware``'s, then ``discoverd``."""
        return [*super().supported_inspect_interfaces, DiscoverdInspect]
