"""A real Ironic 39 whose ``discoverd`` inspect interface points at a real discoverd.

Power, management and boot are Ironic's fakes for ``fake-hardware`` and
``fake-tripleo`` nodes (the lab's fake type that also offers ``discoverd``): for
tests of the inspection flow and of the tools driving it, not of the nodes.
``pyghmi`` and ``pxe`` are enabled too, for ``tripleo-ipmi`` nodes behind real
virtual BMCs (the product type has no fake interface).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import requests

from discoverd.conf import new_conf
from discoverd.server import Server
from ironic_tripleo.lab.ironic_service import IronicConfig, IronicService
from tests.netutil import free_port, wait_for


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
