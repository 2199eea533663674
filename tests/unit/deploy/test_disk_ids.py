"""Disk and root file system identifiers read from images."""

import pytest

from ironic_tripleo.deploy import disk_ids
from tests.harness import disk_images
from tests.harness.disk_images import MiB


def sector(signature: bytes, boot_flag: bytes = b"\x55\xaa") -> bytes:
    return bytes(440) + signature + bytes(66) + boot_flag


def test_mbr_signature_little_endian():
    assert disk_ids.mbr_signature(sector(b"\x78\x56\x34\x12")) == "0x12345678"


@pytest.mark.parametrize("data", [sector(b"\x78\x56\x34\x12", b"\x00\x00"),
                                  sector(bytes(4)), b"", b"\x55\xaa"])
def test_no_signature(data):
    assert disk_ids.mbr_signature(data) is None


def test_disk_identifier_of_raw_and_qcow2(tmp_path):
    raw = disk_images.mbr_disk(tmp_path / "d.raw", 2 * MiB, 0xcafe0001)
    qcow = disk_images.to_qcow2(raw, tmp_path / "d.qcow2")
    assert disk_ids.disk_identifier(raw) == "0xcafe0001"
    assert disk_ids.disk_identifier(qcow, "qcow2") == "0xcafe0001"


def test_disk_identifier_of_unreadable_qcow2_is_none(tmp_path):
    bad = tmp_path / "bad.qcow2"
    bad.write_bytes(b"not a qcow2")
    assert disk_ids.disk_identifier(bad, "qcow2") is None


def test_filesystem_uuid_at_offset(tmp_path):
    uuid = "0b4b8e1c-54a4-4f8e-9a38-3b1d5a9e2f10"
    fs = disk_images.ext4(tmp_path / "fs.img", 8 * MiB, uuid)
    disk = tmp_path / "disk.img"
    disk.write_bytes(bytes(MiB) + fs.read_bytes())
    assert disk_ids.filesystem_uuid(disk, MiB) == uuid
    assert disk_ids.filesystem_uuid(disk, 0) is None
