"""Integration tests run against real parts and need root for namespaces and daemons."""

import os

import pytest

# one undercloud (Keystone, Nova, ...) per session for every module that asks for it
from tests.harness.undercloud import undercloud  # noqa: F401


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session", autouse=True)
def _require_root():
    if os.geteuid() != 0:
        pytest.fail("integration tests need root (network namespaces, tgtd, ipmi_sim)")


# A real Ironic whose nodes use fake power, management and boot: for tests of what
# talks to Ironic's API (discoverd, enrollment) rather than of the drivers.
FAKE_INTERFACES = dict(hardware_types=("fake-hardware",), power_interfaces=("fake",),
                       management_interfaces=("fake",), boot_interfaces=("fake",),
                       inspect_interfaces=("no-inspect",))


@pytest.fixture
def ironic_factory(tmp_path_factory):
    """Start real standalone Ironics with chosen interfaces; all stopped at teardown.

    Call it with keyword arguments of ``IronicConfig`` (workdir and port are chosen
    here). Returns the started ``IronicService``.
    """
    from ironic_tripleo.lab.ironic_service import IronicConfig, IronicService
    from tests.harness.ports import free_port

    started = []

    def start(**overrides):
        workdir = tmp_path_factory.mktemp("ironic")
        service = IronicService(IronicConfig(workdir=workdir, port=free_port(), **overrides))
        service.start()
        started.append(service)
        return service

    yield start
    for service in started:
        service.stop()


@pytest.fixture(scope="module")
def real_ironic(tmp_path_factory):
    """A real Ironic 39 with ironic_tripleo's plugins enabled, shared by a test module."""
    from ironic_tripleo.lab.ironic_service import IronicConfig, IronicService
    from tests.harness.ports import free_port

    service = IronicService(IronicConfig(workdir=tmp_path_factory.mktemp("ironic"),
                                         port=free_port()))
    service.start()
    yield service
    service.stop()


@pytest.fixture
def baremetal(real_ironic):
    """openstacksdk baremetal proxy bound to ``real_ironic``."""
    from baremetal_common.cloud import connect

    return connect(real_ironic.url).baremetal


@pytest.fixture(scope="module")
def fake_ironic(tmp_path_factory):
    """A real Ironic with ``FAKE_INTERFACES``, shared by a test module."""
    from ironic_tripleo.lab.ironic_service import IronicConfig, IronicService
    from tests.harness.ports import free_port

    service = IronicService(IronicConfig(workdir=tmp_path_factory.mktemp("ironic"),
                                         port=free_port(), **FAKE_INTERFACES))
    service.start()
    yield service
    service.stop()
