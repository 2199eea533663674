import pytest

from ramdisk.collectors import disks
from tests.harness.ramdisk_samples import udev_properties


def test_sata_disk_from_udev():
    sysfs = {"size": "3907029168", "rotational": "1", "model": "ST2000NM0055-1V4",
             "logical_block_size": "512", "physical_block_size": "4096"}
    record = disks.disk_record("sda", udev_properties("udev_sata_disk.properties"), sysfs)
    assert record == {
        "name": "/dev/sda", "model": "ST2000NM0055-1V4104", "size": 3907029168 * 512,
        "rotational": True, "wwn": "0x5000c500a1b2c3d4", "serial": "ZC20ABCD",
        "vendor": "", "wwn_with_extension": "0x5000c500a1b2c3d4",
        "wwn_vendor_extension": None, "hctl": None,
        "by_path": "/dev/disk/by-path/pci-0000:00:1f.2-ata-1.0",
        "logical_sectors": 512, "physical_sectors": 4096,
    }


def test_nvme_disk():
    record = disks.disk_record("nvme0n1", udev_properties("udev_nvme.properties"),
                               {"size": "1953525168", "rotational": "0"})
    assert record["rotational"] is False
    assert record["model"] == "Samsung SSD 970 EVO Plus 1TB"
    assert record["serial"] == "S4EWNX0R123456"
    assert record["by_path"] == "/dev/disk/by-path/pci-0000:3d:00.0-nvme-1"


def test_no_udev_database_falls_back_to_sysfs():
    sysfs = {"size": "536870912", "rotational": "1", "serial": "overlayblk",
             "vendor": "0x1af4", "wwid": "naa.600140512345678"}
    record = disks.disk_record("vda", udev_properties("udev_virtio_no_udevdb.properties"),
                               sysfs)
    assert record["size"] == 256 * 1024 ** 3
    assert record["serial"] == "overlayblk"
    assert record["wwn"] == "0x600140512345678"
    assert record["by_path"] is None
    assert record["model"] == ""


@pytest.mark.parametrize("name, props, all_disks, skipped", [
    ("sr0", "udev_cdrom.properties", False, True),
    ("sr0", "udev_cdrom.properties", True, False),
    ("sda", "udev_sata_disk.properties", False, False),
    ("loop3", None, False, True),
    ("zram0", None, False, True),
    ("ram1", None, False, True),
    ("vda", "udev_virtio_no_udevdb.properties", False, False),
])
def test_is_skipped(name, props, all_disks, skipped):
    properties = udev_properties(props) if props else {}
    assert disks.is_skipped(name, properties, all_disks) is skipped


def test_read_sysfs(tmp_path):
    (tmp_path / "sdb" / "queue").mkdir(parents=True)
    (tmp_path / "sdb" / "size").write_text("2048\n")
    (tmp_path / "sdb" / "queue" / "rotational").write_text("0\n")
    assert disks.read_sysfs("sdb", str(tmp_path)) == {"size": "2048", "rotational": "0"}


def test_collect_real_machine_skips_virtual():
    found = disks.collect()
    names = [d["name"] for d in found]
    assert not any(n.startswith(("/dev/loop", "/dev/zram", "/dev/ram")) for n in names)
    assert all(d["size"] > 0 for d in found)
