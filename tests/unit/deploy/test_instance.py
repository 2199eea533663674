import base64
import gzip

import pytest

from ironic_tripleo.deploy import instance
from ironic_tripleo.exception import InvalidInstanceInfo
from ramdisk.deploy.commands import validate_start

UUID = "1be26c0b-03f2-4d2e-ae87-c02d7f33c123"


def test_new_credentials_are_fresh_valid_and_hidden():
    a, b = instance.new_credentials(UUID), instance.new_credentials(UUID)
    assert a.iqn.startswith(f"iqn.2026-11.org.openstack.ironic-tripleo:{UUID}-")
    assert len({a.iqn, b.iqn}) == 2 and a.password != b.password
    assert a.password not in repr(a)
    # the ramdisk accepts what the conductor generates
    validate_start({"iqn": a.iqn, "username": a.username, "password": a.password})


@pytest.mark.parametrize(("info", "whole", "want"), [
    ({}, None, instance.WHOLE_DISK),
    ({"kernel": "k", "ramdisk": "r"}, None, instance.PARTITION),
    ({"kernel": "k", "ramdisk": "r"}, True, instance.WHOLE_DISK),
    ({}, False, instance.PARTITION),
    ({"image_type": "partition"}, True, instance.PARTITION),
    ({"image_type": "whole-disk", "kernel": "k", "ramdisk": "r"}, None, instance.WHOLE_DISK),
])
def test_image_type(info, whole, want):
    assert instance.image_type(info, whole) == want


def test_layout_from_instance_info():
    layout = instance.layout({"root_gb": "2", "swap_mb": 512, "ephemeral_gb": 1,
                              "ephemeral_format": "xfs"}, "uefi", None, True, "n1")
    assert (layout.label, layout.boot_mode, layout.root_mb, layout.swap_mb) == (
        "gpt", "uefi", 2048, 512)
    assert (layout.ephemeral_mb, layout.ephemeral_format, layout.configdrive) == (
        1024, "xfs", True)
    bios = instance.layout({}, "bios", None, False)
    assert bios.label == "msdos" and bios.root_mb is None


@pytest.mark.parametrize(("info", "label", "field"), [
    ({"swap_mb": "lots"}, None, "swap_mb"),
    ({"root_gb": -1}, None, "root_gb"),
    ({"ephemeral_format": "ntfs"}, None, "ephemeral_format"),
    ({}, "sun", "capabilities.disk_label"),
])
def test_layout_refuses_bad_values(info, label, field):
    with pytest.raises(InvalidInstanceInfo, match=field):
        instance.layout(info, "bios", label, False, "n1")


def test_configdrive_gzip_base64_and_plain(tmp_path):
    data = b"config-2" + bytes(range(256))
    gz = base64.b64encode(gzip.compress(data)).decode()
    assert instance.write_configdrive(gz, tmp_path / "a").read_bytes() == data
    plain = base64.b64encode(data).decode()
    assert instance.write_configdrive(plain, tmp_path / "b").read_bytes() == data
    with pytest.raises(InvalidInstanceInfo, match="configdrive"):
        instance.write_configdrive(base64.b64encode(b"\x1f\x8bbroken").decode(),
                                   tmp_path / "c")
    with pytest.raises(InvalidInstanceInfo, match="empty"):
        instance.write_configdrive("", tmp_path / "d")


def test_glance_checksum_fields():
    assert instance.glance_checksum_fields({"os_hash_algo": "sha512", "os_hash_value": "ab",
                                            "checksum": "cd"}) == {
        "image_os_hash_algo": "sha512", "image_os_hash_value": "ab", "image_checksum": "cd"}


def test_glance_checksum_fields_from_ironic_39_show():
    """What Ironic 39's image service returned for an image in a real Glance 33: the
    top-level multihash keys None, the values under openstacksdk's names."""
    shown = {"id": "edc8c2d8-0f7e-4b13-ba2d-6d9fbca9ec1b", "checksum": "e5bd",
             "os_hash_algo": None, "os_hash_value": None, "status": "active",
             "properties": {"hash_algo": "sha512", "hash_value": "d1fd",
                            "stores": "local", "virtual_size": 8192}}
    assert instance.glance_checksum_fields(shown) == {
        "image_os_hash_algo": "sha512", "image_os_hash_value": "d1fd",
        "image_checksum": "e5bd"}


def test_glance_checksum_fields_takes_algo_and_value_from_one_place():
    shown = {"os_hash_algo": "sha256", "os_hash_value": None,
             "properties": {"os_hash_algo": "sha512", "os_hash_value": "ab",
                            "hash_algo": "sha384", "hash_value": "cd"}}
    fields = instance.glance_checksum_fields(shown)
    assert (fields["image_os_hash_algo"], fields["image_os_hash_value"]) == ("sha512", "ab")
    assert instance.glance_checksum_fields({"checksum": "cd", "properties": None}) == {
        "image_os_hash_algo": None, "image_os_hash_value": None, "image_checksum": "cd"}
