"""nodes.provision.move against a real Ironic 39: the one "manage/provide and wait".

A fake-hardware node goes manageable then available; a ``tripleo-ipmi`` node whose
BMC does not answer falls back to ``enroll`` with Ironic's error, which is reported
for that node only; a request Ironic refuses is that node's error too. ``enroll``
turns any of these into ``NodesNotMoved`` naming the node.
"""

import secrets

import pytest

from ironic_tripleo.enroll.enroll import enroll
from ironic_tripleo.enroll.inventory import validate
from ironic_tripleo.exception import NodesNotMoved
from ironic_tripleo.nodes import provision
from tests.harness.ports import free_port


def fake_node(baremetal):
    return baremetal.create_node(driver="fake-hardware", name=f"mv-{secrets.token_hex(3)}")


def dead_bmc_node(baremetal):
    return baremetal.create_node(
        driver="tripleo-ipmi", name=f"mv-dead-{secrets.token_hex(3)}",
        driver_info={"ipmi_address": "127.0.0.1", "ipmi_port": free_port(),
                     "ipmi_username": "admin", "ipmi_password": "pw"})


def test_manage_then_provide_reach_their_states(baremetal):
    node = fake_node(baremetal)
    assert provision.move(baremetal, [node.id], "manage", timeout=60) == {}
    assert baremetal.get_node(node.id).provision_state == "manageable"
    assert provision.move(baremetal, [node.id], "provide", timeout=60) == {}
    assert baremetal.get_node(node.id).provision_state == "available"


def test_failed_and_refused_nodes_are_reported_each(baremetal):
    good, dead, wrong = fake_node(baremetal), dead_bmc_node(baremetal), fake_node(baremetal)
    errors = provision.move(baremetal, [good.id, dead.id], "manage", timeout=120)
    assert set(errors) == {dead.id}
    assert errors[dead.id] == baremetal.get_node(dead.id).last_error and errors[dead.id]
    assert baremetal.get_node(good.id).provision_state == "manageable"
    # 'provide' from enroll is refused by Ironic's state machine
    refused = provision.move(baremetal, [wrong.id], "provide", timeout=60)
    assert list(refused) == [wrong.id] and "'provide' refused" in refused[wrong.id]


def test_enroll_names_the_node_that_did_not_become_manageable(baremetal):
    name = f"mv-enr-{secrets.token_hex(3)}"
    entries = validate({"nodes": [{
        "name": name, "pm_type": "ipmi", "pm_addr": "127.0.0.1",
        "pm_port": str(free_port()), "pm_user": "admin", "pm_password": "pw"}]})
    with pytest.raises(NodesNotMoved) as err:
        enroll(baremetal, entries, manage=True, timeout=120)
    assert f"{name}" in str(err.value) and "'manage'" in str(err.value)
    assert baremetal.get_node(name).provision_state == "enroll"
