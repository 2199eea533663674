"""Each processing hook on plain data, and the hook manager."""

import pytest

from discoverd import exception
from discoverd.exception import HookError
from discoverd.hooks.capabilities import CapabilitiesHook
from discoverd.hooks.extra_hardware import ExtraHardwareHook, facts_to_dict
from discoverd.hooks.interfaces import PortsHook, ValidateInterfacesHook
from discoverd.hooks.manager import HookManager, available
from discoverd.hooks.ramdisk_error import RamdiskErrorHook
from discoverd.hooks.root_disk import RootDiskSelectionHook
from discoverd.hooks.scheduler import SchedulerHook, scheduler_properties
from discoverd.node_info import NodeInfo
from tests.harness.discoverd_payloads import GiB, ramdisk_payload

MACS = ["52:54:00:00:00:01", "52:54:00:00:00:02", "52:54:00:00:00:03"]


def node_info(properties=None, ports=()):
    return NodeInfo.from_ironic(
        {"id": "n1", "properties": properties or {}, "extra": {}, "traits": []},
        [{"uuid": f"p-{mac}", "address": mac, "pxe_enabled": pxe} for mac, pxe in ports])


def test_ramdisk_error():
    RamdiskErrorHook().before_processing(ramdisk_payload(MACS))
    with pytest.raises(HookError, match="disk on fire"):
        RamdiskErrorHook().before_processing(ramdisk_payload(MACS, error="disk on fire"))


def test_scheduler_uses_largest_disk_minus_one():
    data = ramdisk_payload(MACS, cpus=8, memory_mb=16384, disks_gib=(20, 500))
    info = node_info()
    SchedulerHook().before_update(data, info)
    assert info.properties == {"cpus": 8, "memory_mb": 16384, "local_gb": 499,
                               "cpu_arch": "x86_64"}


def test_scheduler_memory_from_total_and_root_disk():
    inv = {"cpu": {"count": 2, "architecture": "aarch64"},
           "memory": {"total": 4096 * 1024 * 1024}, "disks": [{"size": 100 * GiB}]}
    props = scheduler_properties(inv, {"size": 10 * GiB})
    assert props == {"cpus": 2, "memory_mb": 4096, "local_gb": 9, "cpu_arch": "aarch64"}
    assert scheduler_properties({**inv, "disks": []}, None)["local_gb"] == 0


@pytest.mark.parametrize("inventory", [{}, {"cpu": {"count": 2}},
                                       {"cpu": {"count": 2, "architecture": "x"}}])
def test_scheduler_missing_fields(inventory):
    with pytest.raises(HookError, match="inventory"):
        scheduler_properties(inventory, None)


def test_root_disk_hints():
    data = ramdisk_payload(MACS, disks_gib=(50, 120))
    hook = RootDiskSelectionHook()
    hook.before_update(data, node_info({"root_device": {"serial": "QM00001"}}))
    assert data["root_disk"]["name"] == "/dev/sdb"
    data2 = ramdisk_payload(MACS)
    hook.before_update(data2, node_info({"root_device": {"size": 50, "name": "sda"}}))
    assert data2["root_disk"]["name"] == "/dev/sda"
    hook.before_update(data2, node_info())
    with pytest.raises(HookError, match="no disk matches"):
        hook.before_update(data2, node_info({"root_device": {"wwn": "nope"}}))
    with pytest.raises(HookError, match="unknown root device hint"):
        hook.before_update(data2, node_info({"root_device": {"colour": "red"}}))


def test_root_disk_feeds_scheduler():
    data = ramdisk_payload(MACS, disks_gib=(50, 120))
    info = node_info({"root_device": {"name": "/dev/sda"}})
    RootDiskSelectionHook().before_update(data, info)
    SchedulerHook().before_update(data, info)
    assert info.properties["local_gb"] == 49


@pytest.mark.parametrize(("add_ports", "expected"), [
    ("pxe", [MACS[1]]), ("active", [MACS[0]]), ("all", MACS)])
def test_validate_interfaces(add_ports, expected):
    data = ramdisk_payload(MACS, boot_mac=MACS[1])
    ValidateInterfacesHook.with_options(add_ports=add_ports).before_processing(data)
    assert data["macs"] == sorted(expected)
    assert data["all_interfaces"]["eth1"]["pxe"] is True


def test_validate_interfaces_pxe_falls_back_to_active_and_rejects_none():
    data = ramdisk_payload(MACS)
    data["boot_interface"] = None
    ValidateInterfacesHook().before_processing(data)
    assert data["macs"] == [MACS[0]]
    data["inventory"]["interfaces"] = [{"name": "eth0", "mac_address": "junk"}]
    with pytest.raises(HookError, match="no interface"):
        ValidateInterfacesHook().before_processing(data)


def _ports(ports, add_ports="pxe", **options):
    data = ramdisk_payload(MACS[:2])
    ValidateInterfacesHook.with_options(add_ports=add_ports).before_processing(data)
    info = node_info(ports=ports)
    PortsHook.with_options(**options).before_update(data, info)
    return info


def test_ports_created_and_pxe_flags():
    info = _ports([(MACS[1], True)], add_ports="all")
    assert info.new_ports == {MACS[0]: True}
    assert info.port_patches == {MACS[1]: [{"op": "replace", "path": "/pxe_enabled",
                                            "value": False}]}


@pytest.mark.parametrize(("keep", "deleted"), [
    ("all", set()), ("present", {"aa:aa:aa:aa:aa:aa"}),
    ("added", {"aa:aa:aa:aa:aa:aa", MACS[1]})])
def test_keep_ports(keep, deleted):
    info = _ports([("aa:aa:aa:aa:aa:aa", False), (MACS[1], False)], keep_ports=keep)
    assert info.deleted_ports == deleted


def test_capabilities():
    data = ramdisk_payload(MACS, flags=("svm", "pdpe1gb"), boot_mode="uefi")
    info = node_info({"capabilities": "profile:compute"})
    CapabilitiesHook().before_update(data, info)
    assert info.capabilities() == {"profile": "compute", "boot_mode": "uefi",
                                   "cpu_vt": "true", "cpu_hugepages_1g": "true"}


def test_extra_hardware():
    data = ramdisk_payload(MACS)
    info = node_info()
    ExtraHardwareHook().before_update(data, info)
    assert "data" not in data
    assert info.node["extra"]["hardware"]["system"]["product"]["vendor"] == "QEMU"
    data = ramdisk_payload(MACS)
    info = node_info()
    ExtraHardwareHook.with_options(store="data").before_update(data, info)
    assert "hardware" not in info.node["extra"] and data["extra_hardware"]["cpu"]
    with pytest.raises(HookError, match=r"data\[0\]"):
        facts_to_dict([["a", "b"]])


def test_manager_order_and_dependencies():
    manager = HookManager(["validate_interfaces", "ports", "scheduler"])
    assert [name for name, _ in manager.hooks] == ["validate_interfaces", "ports", "scheduler"]
    assert "extra_hardware" in available()
    with pytest.raises(exception.ConfigError, match="needs validate_interfaces"):
        HookManager(["ports", "validate_interfaces"])
    with pytest.raises(exception.ConfigError, match="unknown processing hook"):
        HookManager(["nope"])
    with pytest.raises(exception.ConfigError, match="twice"):
        HookManager(["scheduler", "scheduler"])
    assert HookManager([]).hooks == []
