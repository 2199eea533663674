"""The standalone Ironic the lab stands on: starts, serves, stops cleanly."""

import os

import pytest
import requests

from baremetal_common.cloud import connect
from ironic_tripleo.lab.ironic_service import API_VERSION_HEADER, IronicStartError

FAKE_ONLY = dict(hardware_types=("fake-hardware",), power_interfaces=("fake",),
                 management_interfaces=("fake",), boot_interfaces=("fake",))


def test_fake_node_lifecycle_through_rest_api(ironic_factory):
    ironic = ironic_factory(**FAKE_ONLY)
    conn = connect(ironic.url)
    node = conn.baremetal.create_node(driver="fake-hardware", name="svc-test")
    conn.baremetal.set_node_power_state(node, "power on", wait=True, timeout=30)
    assert conn.baremetal.get_node(node.id).power_state == "power on"
    r = requests.get(f"{ironic.url}/v1/nodes", headers=API_VERSION_HEADER, timeout=5)
    assert [n["name"] for n in r.json()["nodes"]] == ["svc-test"]


def test_stop_leaves_no_process(ironic_factory):
    ironic = ironic_factory(**FAKE_ONLY)
    pid = int(ironic.pid_file.read_text())
    ironic.stop()
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)
    ironic.stop()  # idempotent


def test_unknown_hardware_type_is_reported_with_log(ironic_factory):
    with pytest.raises(IronicStartError) as err:
        ironic_factory(hardware_types=("no-such-type",), power_interfaces=("fake",),
                       management_interfaces=("fake",), boot_interfaces=("fake",))
    assert "no-such-type" in str(err.value)
