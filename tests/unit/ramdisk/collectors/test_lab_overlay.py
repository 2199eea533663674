"""The lab-only hardware overlay replaces cpus, memory and disks, nothing else."""

import json

import pytest

from ramdisk import cmdline
from ramdisk.collectors import lab_overlay
from ramdisk.exception import CollectorError


@pytest.fixture
def overlay_file(tmp_path):
    disk = tmp_path / "disk.img"
    with open(disk, "wb") as f:
        f.truncate(3 * 1024 ** 3)
    path = tmp_path / "hardware.json"
    path.write_text(json.dumps({"cpus": 6, "memory_mb": 3072, "arch": "x86_64", "disks": [
        {"name": "/dev/vda", "path": str(disk), "serial": "LAB1", "rotational": True}]}))
    return path


def test_param_is_parsed():
    params = cmdline.parse("quiet tripleo-lab-hardware=/x/hardware.json "
                           " BOOTIF=01-52-54-00-aa-bb-1f")
    assert params.lab_hardware == "/x/hardware.json"
    assert cmdline.parse("quiet").lab_hardware is None


def test_inventory_gets_declared_hardware(overlay_file):
    overlay = lab_overlay.load(str(overlay_file))
    inventory = {"cpu": {"count": 64, "model_name": "EPYC"}, "memory": {"total": 1},
                 "disks": [{"name": "/dev/sda", "size": 10}], "interfaces": ["kept"]}
    lab_overlay.apply_inventory(inventory, overlay)
    assert inventory["cpu"] == {"count": 6, "model_name": "EPYC", "socket_count": 1,
                                "architecture": "x86_64"}
    assert inventory["memory"] == {"total": 3072 * 1024 ** 2, "physical_mb": 3072}
    assert [(d["name"], d["size"], d["serial"], d["rotational"]) for d in inventory["disks"]] == [
        ("/dev/vda", 3 * 1024 ** 3, "LAB1", True)]
    assert inventory["interfaces"] == ["kept"]


def test_facts_replaced_others_kept(overlay_file):
    overlay = lab_overlay.load(str(overlay_file))
    facts = [["cpu", "logical", "number", "64"], ["disk", "sda", "size", "274"],
             ["memory", "total", "size", "1"], ["system", "product", "name", "KVM"]]
    out = lab_overlay.apply_facts(facts, overlay)
    assert ["system", "product", "name", "KVM"] in out
    assert ["cpu", "logical", "number", "6"] in out
    assert ["memory", "total", "size", str(3072 * 1024 ** 2)] in out
    assert ["disk", "vda", "size", "3"] in out and ["disk", "vda", "rotational", "1"] in out
    assert not [f for f in out if f[:2] == ["disk", "sda"]]


@pytest.mark.parametrize("content", ["not json", "{}", '{"cpus": 1, "memory_mb": 1, '
                                     '"disks": [{"name": "/dev/vda", "path": "/nonexistent"}]}'])
def test_bad_overlay_is_a_collector_error(tmp_path, content):
    path = tmp_path / "hw.json"
    path.write_text(content)
    with pytest.raises(CollectorError, match="lab_overlay"):
        lab_overlay.load(str(path))
