"""The tripleo-ipmi hardware type lists our interfaces first and has defaults."""

import inspect

from ironic.drivers import base
from ironic.drivers.modules import fake, noop, pxe

from ironic_tripleo.drivers.hardware_type import TripleOIPMIHardware
from ironic_tripleo.ipmi.management import PyghmiManagement
from ironic_tripleo.ipmi.power import PyghmiPower

hw = TripleOIPMIHardware()
INTERFACE_TYPES = ("bios", "boot", "console", "deploy", "firmware", "inspect",
                   "management", "network", "power", "raid", "rescue", "storage",
                   "vendor")


def test_our_interfaces_are_the_defaults():
    assert hw.supported_power_interfaces[0] is PyghmiPower
    assert hw.supported_management_interfaces[0] is PyghmiManagement
    assert hw.supported_boot_interfaces[0] is pxe.PXEBoot
    assert hw.supported_deploy_interfaces[0] is fake.FakeDeploy
    assert hw.supported_inspect_interfaces[0] is noop.NoInspect
    assert hw.supported_vendor_interfaces[0] is noop.NoVendor
    assert hw.supported_console_interfaces == [noop.NoConsole]


def test_every_interface_type_has_concrete_choices():
    for kind in INTERFACE_TYPES:
        classes = getattr(hw, f"supported_{kind}_interfaces")
        assert classes, kind
        for cls in classes:
            assert issubclass(cls, base.BaseInterface), (kind, cls)
            assert not inspect.isabstract(cls), (kind, cls)


def test_fake_interfaces_for_tests():
    assert fake.FakePower in hw.supported_power_interfaces
    assert fake.FakeManagement in hw.supported_management_interfaces
    assert fake.FakeBoot in hw.supported_boot_interfaces


def test_interfaces_instantiate():
    PyghmiPower()
    PyghmiManagement()
