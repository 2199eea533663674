"""The ``ahc`` discoverd hook through real discoverd and a real Ironic 39 (fake power).

Three nodes with different memory are introspected; the rules want one control node
with >= 16 GiB and any number of computes; the profiles end up in Ironic.
"""

import random
import time

import pytest
import requests

from baremetal_common.cloud import connect
from discoverd.conf.processing import DEFAULT_HOOKS
from tests.harness.discoverd_payloads import ramdisk_payload
from tests.harness.discoverd_servers import enroll
from tests.harness.ports import free_port
from tests.harness.waiting import wait_for

GIB16 = 16 * 1024 ** 3


@pytest.fixture(scope="module")
def ironic(fake_ironic):
    """One real Ironic with fake power for this module."""
    return fake_ironic


@pytest.fixture
def rules(tmp_path):
    path = tmp_path / "rules"
    path.mkdir()
    (path / "state").write_text("[('control', '1'), ('compute', '*')]\n")
    (path / "control.specs").write_text(f"[('memory', 'total', 'size', 'ge({GIB16})')]\n")
    (path / "control.cmdb").write_text("[{'hostname': 'overcloud-controller-0'}]\n")
    (path / "compute.specs").write_text("[('cpu', 'logical', 'number', 'ge(1)')]\n")
    return path


@pytest.fixture
def discoverd(tmp_path, ironic, rules):
    from discoverd.conf import new_conf
    from discoverd.server import Server

    conf = new_conf([])
    conf.set_override("connection", f"sqlite:///{tmp_path / 'discoverd.sqlite'}",
                      group="database")
    conf.set_override("url", ironic.url, group="ironic")
    conf.set_override("listen_address", "127.0.0.1")
    conf.set_override("hooks", [*DEFAULT_HOOKS[:-1], "ahc", "extra_hardware"],
                      group="processing")
    conf.set_override("rules_dir", str(rules), group="ahc")
    server = Server(conf, port=free_port()).start()
    try:
        wait_for(lambda: requests.get(server.url, timeout=2).ok, 10, what="discoverd")
        yield server
    finally:
        server.stop()


def test_profiles_by_memory_with_counts(discoverd, ironic):
    baremetal = connect(ironic.url).baremetal
    prefix = random.randrange(256)
    nodes = []
    # two nodes are big enough for control; one place: the first processed wins
    for i, memory in enumerate((32768, 24576, 4096)):
        mac = f"52:54:00:{prefix:02x}:a{i}:01"
        bmc = f"10.21.{prefix}.{i + 1}"
        node = enroll(baremetal, f"ahc{i}-{time.time_ns()}", [mac], bmc)
        baremetal.patch_node(node, [{"op": "add", "path": "/properties/capabilities",
                                     "value": "boot_option:local"}])
        r = requests.post(f"{discoverd.url}/v1/introspection/{node.id}", timeout=10)
        assert r.status_code == 202, r.text
        nodes.append((node, mac, bmc, memory))
    for _node, mac, bmc, memory in nodes:
        r = requests.post(f"{discoverd.url}/v1/continue", timeout=30,
                          json=ramdisk_payload([mac], bmc_address=bmc, memory_mb=memory))
        assert r.status_code == 200, r.text

    real = [baremetal.get_node(node.id) for node, *_ in nodes]
    caps = [dict(item.split(":", 1) for item in n.properties["capabilities"].split(","))
            for n in real]
    assert [c["profile"] for c in caps] == ["control", "compute", "compute"]
    assert all(c["boot_option"] == "local" for c in caps)
    assert real[0].extra["ahc"] == {"profile": "control",
                                    "variables": {"hostname": "overcloud-controller-0"}}
    assert real[1].extra["ahc"]["profile"] == "compute"
    assert real[0].properties["memory_mb"] == 32768
