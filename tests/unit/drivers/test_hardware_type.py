"""The tripleo-ipmi hardware type lists our interfaces first and no fakes."""

import inspect

from ironic.drivers import base
from ironic.drivers.modules import agent, fake, noop, pxe
from ironic.drivers.modules.inspector import AgentInspect

from ironic_tripleo.deploy.interface import ISCSIDeploy
from ironic_tripleo.drivers.hardware_type import TripleOIPMIHardware
from ironic_tripleo.inspect.discoverd import DiscoverdInspect
from ironic_tripleo.ipmi.management import PyghmiManagement
from ironic_tripleo.ipmi.power import PyghmiPower
from ironic_tripleo.lab.hardware_type import FakeTripleOHardware

hw = TripleOIPMIHardware()
INTERFACE_TYPES = ("bios", "boot", "console", "deploy", "firmware", "inspect",
                   "management", "network", "power", "raid", "rescue", "storage",
                   "vendor")


def test_our_interfaces_are_the_defaults():
    assert hw.supported_power_interfaces == [PyghmiPower]
    assert hw.supported_management_interfaces == [PyghmiManagement]
    assert hw.supported_boot_interfaces[0] is pxe.PXEBoot
    assert hw.supported_deploy_interfaces == [ISCSIDeploy, agent.AgentDeploy]
    assert hw.supported_inspect_interfaces == [DiscoverdInspect, AgentInspect,
                                               noop.NoInspect]
    assert hw.supported_vendor_interfaces == [noop.NoVendor]
    assert hw.supported_console_interfaces == [noop.NoConsole]


def test_every_interface_type_has_concrete_choices():
    for kind in INTERFACE_TYPES:
        classes = getattr(hw, f"supported_{kind}_interfaces")
        assert classes, kind
        for cls in classes:
            assert issubclass(cls, base.BaseInterface), (kind, cls)
            assert not inspect.isabstract(cls), (kind, cls)


def test_no_fake_interface_in_the_product_type():
    """A conductor that also enables ``fake`` must not hand a fake to our nodes."""
    for kind in INTERFACE_TYPES:
        for cls in getattr(hw, f"supported_{kind}_interfaces"):
            assert cls.__module__ != fake.__name__, (kind, cls)


def test_lab_fake_type_offers_our_deploy_and_inspect_after_the_fakes():
    lab = FakeTripleOHardware()
    assert lab.supported_power_interfaces == [fake.FakePower]
    assert lab.supported_deploy_interfaces[0] is fake.FakeDeploy
    assert lab.supported_deploy_interfaces[-1] is ISCSIDeploy
    assert lab.supported_inspect_interfaces[0] is fake.FakeInspect
    assert lab.supported_inspect_interfaces[-1] is DiscoverdInspect


def test_interfaces_instantiate():
    PyghmiPower()
    PyghmiManagement()


def test_nova_type_shares_everything_but_power_and_management():
    from ironic_tripleo.drivers.nova_hardware_type import TripleONovaHardware
    from ironic_tripleo.quintupleo.management import NovaManagement
    from ironic_tripleo.quintupleo.power import NovaPower

    nova = TripleONovaHardware()
    assert nova.supported_power_interfaces == [NovaPower]
    assert nova.supported_management_interfaces == [NovaManagement]
    for kind in INTERFACE_TYPES:
        if kind not in ("power", "management"):
            assert getattr(nova, f"supported_{kind}_interfaces") == \
                getattr(hw, f"supported_{kind}_interfaces"), kind
        for cls in getattr(nova, f"supported_{kind}_interfaces"):
            assert cls.__module__ != fake.__name__, (kind, cls)
