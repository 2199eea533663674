import pytest

from ramdisk.deploy import root_device
from ramdisk.deploy.exception import InvalidRootDeviceHints, NoRootDevice

GiB = root_device.GiB
DISKS = [
    {"name": "/dev/sdb", "size": 100 * GiB, "serial": "S2", "wwn": "0x5000c5", "model":
     "Samsung SSD_860", "vendor": "ATA", "rotational": False},
    {"name": "/dev/sda", "size": 500 * GiB, "serial": "S1", "wwn": "0x5000c4", "model":
     "WDC WD5000", "vendor": "ATA", "rotational": True},
    {"name": "/dev/sdc", "size": 2 * GiB, "serial": "S3", "model": "usb", "rotational": True},
]


def test_no_hints_smallest_disk_of_4_gib():
    assert root_device.select(DISKS)["name"] == "/dev/sdb"


@pytest.mark.parametrize("hints, name", [
    ({"serial": "S1"}, "/dev/sda"),
    ({"name": "sdb"}, "/dev/sdb"),
    ({"name": "/dev/sdc"}, "/dev/sdc"),
    ({"wwn": "0x5000c4"}, "/dev/sda"),
    ({"model": "samsung ssd 860"}, "/dev/sdb"),
    ({"size": 500}, "/dev/sda"),
    ({"size": ">= 50"}, "/dev/sda"),
    ({"size": "< 50"}, "/dev/sdc"),
    ({"rotational": False}, "/dev/sdb"),
    ({"rotational": "true", "size": "<= 10"}, "/dev/sdc"),
])
def test_hints(hints, name):
    assert root_device.select(DISKS, hints)["name"] == name


def test_nothing_matches_names_hints_and_disks():
    with pytest.raises(NoRootDevice) as info:
        root_device.select(DISKS, {"serial": "nope"})
    assert "nope" in str(info.value) and "/dev/sda (500 GiB" in str(info.value)


def test_no_disk_big_enough():
    with pytest.raises(NoRootDevice, match="no disks"):
        root_device.select([])


@pytest.mark.parametrize("hints", [{"colour": "red"}, {"size": "big"}, {"size": True},
                                   {"rotational": "maybe"}])
def test_invalid_hints(hints):
    with pytest.raises(InvalidRootDeviceHints):
        root_device.select(DISKS, hints)
