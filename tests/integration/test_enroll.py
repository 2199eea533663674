"""Enrollment into a real Ironic 39: creates, updates in place, refuses bad files whole."""

import json
import secrets

import pytest

from ironic_tripleo.enroll.enroll import EnrollConflictError, enroll
from ironic_tripleo.enroll.inventory import load_inventory
from tests.harness.enroll_cli import count, run_cli


def inventory(count=2, **overrides):
    tag = secrets.token_hex(2)
    nodes = []
    for i in range(count):
        node = {"name": f"enr-{tag}-{i}", "pm_type": "pxe_ipmitool", "pm_addr": "127.0.0.1",
                "pm_port": str(6230 + i), "pm_user": "admin", "pm_password": "secret",
                "mac": [f"52:54:00:{tag[:2]}:{tag[2:]}:{i + 1:02x}"],
                "cpu": "2", "memory": "4096", "disk": "20", "arch": "x86_64"}
        node.update(overrides)
        nodes.append(node)
    return {"nodes": nodes}


def test_enroll_creates_nodes_and_ports(baremetal, tmp_path):
    doc = inventory(capabilities="profile:control")
    path = tmp_path / "instackenv.json"
    path.write_text(json.dumps(doc))
    results = enroll(baremetal, load_inventory(path))
    assert [r.action for r in results] == ["created", "created"]
    node = baremetal.get_node(doc["nodes"][1]["name"])
    assert node.driver == "tripleo-ipmi"
    assert node.driver_info["ipmi_address"] == "127.0.0.1"
    assert node.driver_info["ipmi_port"] == 6231
    assert node.driver_info["ipmi_username"] == "admin"
    assert node.properties == {"cpus": 2, "memory_mb": 4096, "local_gb": 20,
                               "cpu_arch": "x86_64", "capabilities": "profile:control"}
    assert node.provision_state == "enroll"
    [port] = baremetal.ports(node_id=node.id, details=True)
    assert port.address == doc["nodes"][1]["mac"][0] and port.is_pxe_enabled


def test_rerun_updates_without_duplicates(baremetal, real_ironic, tmp_path):
    doc = inventory()
    path = tmp_path / "instackenv.json"
    path.write_text(json.dumps(doc))
    assert run_cli(str(path), "--ironic-url", real_ironic.url) == 0
    before = count(baremetal)
    doc["nodes"][0]["cpu"] = "8"
    doc["nodes"][0]["pm_port"] = 7000
    doc["nodes"][1]["mac"].append("52:54:00:fe:fe:fe")
    path.write_text(json.dumps(doc))
    assert run_cli(str(path), "--ironic-url", real_ironic.url) == 0
    assert count(baremetal) == (before[0], before[1] + 1)
    node = baremetal.get_node(doc["nodes"][0]["name"])
    assert node.properties["cpus"] == 8 and node.driver_info["ipmi_port"] == 7000
    # An unnamed entry is found again by its MAC.
    del doc["nodes"][1]["name"]
    path.write_text(json.dumps(doc))
    results = enroll(baremetal, load_inventory(path))
    assert [r.action for r in results] == ["updated", "updated"]
    assert count(baremetal) == (before[0], before[1] + 1)


def test_yaml_inventory(baremetal, real_ironic, tmp_path):
    tag = secrets.token_hex(2)
    path = tmp_path / "nodes.yaml"
    path.write_text(f"nodes:\n  - name: yaml-{tag}\n    pm_type: ipmi\n"
                    f"    pm_addr: 127.0.0.1\n    pm_user: admin\n    pm_password: pw\n"
                    f"    mac: ['52:54:00:{tag[:2]}:{tag[2:]}:10']\n    memory: 2048\n")
    assert run_cli(str(path), "--ironic-url", real_ironic.url) == 0
    node = baremetal.get_node(f"yaml-{tag}")
    assert node.properties == {"memory_mb": 2048}
    assert node.driver_info["ipmi_port"] == 623


def test_bad_file_creates_nothing(baremetal, real_ironic, tmp_path, caplog):
    doc = inventory(count=3)
    doc["nodes"][2]["name"] = "ctrl-1"
    doc["nodes"][2]["pm_port"] = "x"
    path = tmp_path / "instackenv.json"
    path.write_text(json.dumps(doc))
    before = count(baremetal)
    assert run_cli(str(path), "--ironic-url", real_ironic.url) == 1
    assert "node 2 (ctrl-1): pm_port 'x' is not an integer 1-65535" in caplog.text
    assert count(baremetal) == before


def test_mac_of_another_node_is_a_conflict_before_any_change(baremetal, tmp_path):
    first = inventory(count=1)
    path = tmp_path / "a.json"
    path.write_text(json.dumps(first))
    enroll(baremetal, load_inventory(path))
    second = inventory(count=2)
    second["nodes"][1]["mac"] = first["nodes"][0]["mac"]
    path.write_text(json.dumps(second))
    before = count(baremetal)
    with pytest.raises(EnrollConflictError, match=r"node 1 \(.*\): mac .* belongs to"):
        enroll(baremetal, load_inventory(path))
    assert count(baremetal) == before
