"""discoverd servers against a real Ironic 39 (fake power), for integration tests.

``ironic`` (module scope: one real Ironic per test module, from ``fake_ironic``),
``baremetal`` (an openstacksdk baremetal proxy on it), ``discoverd_factory``
(discoverd servers on free ports sharing one SQLite database; keyword overrides are
``group__option=value``) and ``enroll`` (a manageable fake-hardware node with ports).
Import the fixtures by name into a test module to use them.
"""

import pytest
import requests

from baremetal_common.cloud import connect
from discoverd.conf import new_conf
from discoverd.server import Server
from tests.harness.ports import free_port
from tests.harness.waiting import wait_for


@pytest.fixture(scope="module")
def ironic(fake_ironic):
    """One real Ironic with fake power for this module."""
    return fake_ironic


@pytest.fixture
def baremetal(ironic):
    return connect(ironic.url).baremetal


@pytest.fixture
def discoverd_factory(tmp_path, ironic):
    """Start discoverd instances on free ports sharing one SQLite database."""
    servers = []

    def start(**overrides):
        conf = new_conf([])
        conf.set_override("connection", f"sqlite:///{tmp_path / 'discoverd.sqlite'}",
                          group="database")
        conf.set_override("url", ironic.url, group="ironic")
        conf.set_override("listen_address", "127.0.0.1")
        for name, value in overrides.items():
            group, _, opt = name.rpartition("__")
            conf.set_override(opt, value, group=group or None)
        server = Server(conf, port=free_port()).start()
        servers.append(server)
        wait_for(lambda: requests.get(server.url, timeout=2).ok, 10, what="discoverd")
        return server

    yield start
    for server in servers:
        server.stop()


def enroll(baremetal, name: str, macs: list[str], bmc: str):
    node = baremetal.create_node(driver="fake-hardware", name=name,
                                 driver_info={"ipmi_address": bmc},
                                 provision_state="manageable")
    for mac in macs:
        baremetal.create_port(node_uuid=node.id, address=mac)
    return node
