"""Disk and root file system identifiers read from images."""

import subprocess

import pytest

from ironic_tripleo.deploy import disk_ids

MiB = 1024 * 1024


def sector(signature: bytes, boot_flag: bytes = b"\x55\xaa") -> bytes:
    return bytes(440) + signature + bytes(66) + boot_flag


def test_mbr_signature_little_endian():
    assert disk_ids.mbr_signature(sector(b"\x78\x56\x34\x12")) == "0x12345678"


@pytest.mark.parametrize("data", [sector(b"\x78\x56\x34\x12", b"\x00\x00"),
                                  sector(bytes(4)), b"", b"\x55\xaa"])
def test_no_signature(data):
    assert disk_ids.mbr_signature(data) is None


def test_disk_identifier_of_raw_and_qcow2(tmp_path):
    raw = tmp_path / "d.raw"
    with open(raw, "wb") as f:
        f.truncate(2 * MiB)
    subprocess.run(["parted", "-s", str(raw), "mklabel", "msdos", "mkpart", "primary",
                    "1MiB", "100%"], check=True, capture_output=True, timeout=30)
    with open(raw, "r+b") as f:  # parted picks a random signature; set a known one
        f.seek(440)
        f.write((0xcafe0001).to_bytes(4, "little"))
    qcow = tmp_path / "d.qcow2"
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", str(raw), str(qcow)],
                   check=True, capture_output=True, timeout=60)
    assert disk_ids.disk_identifier(raw) == "0xcafe0001"
    assert disk_ids.disk_identifier(qcow, "qcow2") == "0xcafe0001"


def test_disk_identifier_of_unreadable_qcow2_is_none(tmp_path):
    bad = tmp_path / "bad.qcow2"
    bad.write_bytes(b"not a qcow2")
    assert disk_ids.disk_identifier(bad, "qcow2") is None


def test_filesystem_uuid_at_offset(tmp_path):
    fs = tmp_path / "fs.img"
    with open(fs, "wb") as f:
        f.truncate(8 * MiB)
    uuid = "0b4b8e1c-54a4-4f8e-9a38-3b1d5a9e2f10"
    subprocess.run(["mkfs.ext4", "-q", "-F", "-U", uuid, str(fs)], check=True,
                   capture_output=True, timeout=60)
    disk = tmp_path / "disk.img"
    disk.write_bytes(bytes(MiB) + fs.read_bytes())
    assert disk_ids.filesystem_uuid(disk, MiB) == uuid
    assert disk_ids.filesystem_uuid(disk, 0) is None
