"""A real Ironic 39 whose ``discoverd`` inspect interface points at a real discoverd.

Power, management and boot are Ironic's fakes for ``fake-hardware`` and
``fake-tripleo`` nodes (the lab's fake type that also offers ``discoverd``): for
tests of the inspection flow and of the tools driving it, not of the nodes.
``pyghmi`` and ``pxe`` are enabled too, for ``tripleo-ipmi`` nodes behind real
virtual BMCs (the product type has no fake interface).

Fixtures: ``stack`` (module scope: the pair, for ``fake-tripleo`` nodes), ``baremetal``
(an openstacksdk baremetal proxy on its Ironic); ``enroll`` makes a ``fake-tripleo`` node
with ``INTERFACES`` and ports ``mac(i, 1..n)``.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Iterator

import pytest
import requests

from baremetal_common.cloud import connect
from discoverd.conf import new_conf
from discoverd.server import Server
from ironic_tripleo.lab.ironic_service import IronicConfig, IronicService
from tests.harness.ports import free_port
from tests.harness.waiting import wait_for


@contextlib.contextmanager
def ironic_with_discoverd(tmp_path_factory, hardware_types: tuple[str, ...]
                          ) -> Iterator[tuple[IronicService, Server]]:
    """Start both (discoverd on a free port, SQLite); stop both on exit."""
    discoverd_port = free_port()
    discoverd_url = f"http://127.0.0.1:{discoverd_port}"
    ironic = IronicService(IronicConfig(
        workdir=tmp_path_factory.mktemp("ironic"), port=free_port(),
        hardware_types=hardware_types, power_interfaces=("fake", "pyghmi"),
        management_interfaces=("fake", "pyghmi"), boot_interfaces=("fake", "pxe"),
        inspect_interfaces=("discoverd", "no-inspect"), vendor_interfaces=("no-vendor",),
        extra={"tripleo_discoverd": {"url": discoverd_url, "status_check_period": "1"},
               "conductor": {"check_provision_state_interval": "5"}}))
    ironic.start()
    try:
        conf = new_conf([])
        db = tmp_path_factory.mktemp("discoverd") / "discoverd.sqlite"
        conf.set_override("connection", f"sqlite:///{db}", group="database")
        conf.set_override("url", ironic.url, group="ironic")
        conf.set_override("listen_address", "127.0.0.1")
        server = Server(conf, port=discoverd_port).start()
        try:
            wait_for(lambda: requests.get(server.url, timeout=2).ok, 10, what="discoverd")
            yield ironic, server
        finally:
            server.stop()
    finally:
        ironic.stop()


INTERFACES = dict(power_interface="fake", management_interface="fake",
                  boot_interface="fake", deploy_interface="fake",
                  inspect_interface="discoverd", vendor_interface="no-vendor")
_PREFIX = random.randrange(256)  # MACs and BMC addresses unlike other test runs'


def mac(i: int, j: int) -> str:
    return f"52:54:01:{_PREFIX:02x}:{i:02x}:{j:02x}"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Real Ironic whose discoverd inspect interface points at a real discoverd."""
    with ironic_with_discoverd(tmp_path_factory, ("fake-tripleo",)) as (ironic, server):
        yield ironic, server


@pytest.fixture
def baremetal(stack):
    return connect(stack[0].url).baremetal


def bmc_address(i: int) -> str:
    """The BMC address ``enroll`` gives node ``i``."""
    return f"10.20.{_PREFIX}.{i + 1}"


def enroll(baremetal, i: int, manageable: bool = True, ports: int = 2):
    name = f"insp{i}-{time.time_ns()}"
    node = baremetal.create_node(driver="fake-tripleo", name=name,
                                 driver_info={"ipmi_address": bmc_address(i)},
                                 **INTERFACES,
                                 **({"provision_state": "manageable"} if manageable else {}))
    for j in range(1, ports + 1):
        baremetal.create_port(node_uuid=node.id, address=mac(i, j))
    return node
