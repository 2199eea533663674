import json

import pytest

from ironic_tripleo.deploy import image_info
from ironic_tripleo.exception import ImageTooLarge, UnsafeImage


def info_json(**extra):
    return json.dumps({"format": "qcow2", "virtual-size": 1000, "actual-size": 200, **extra})


def test_parse_and_checks():
    info = image_info.parse(info_json())
    assert (info.format, info.virtual_size) == ("qcow2", 1000)
    image_info.check_safe(info, "img")
    image_info.check_fits(info, "img", 1000)
    with pytest.raises(ImageTooLarge, match="needs 1000 bytes.*has only 999 bytes"):
        image_info.check_fits(info, "img", 999, "/dev/sda", "node-1")


@pytest.mark.parametrize("text, reason", [
    (info_json(format="vmdk"), "format 'vmdk'"),
    (info_json(**{"backing-filename": "/etc/shadow"}), "backing file"),
    (info_json(**{"format-specific": {"data": {"data-file": "/etc/x"}}}), "data file"),
])
def test_unsafe(text, reason):
    with pytest.raises(UnsafeImage, match=reason):
        image_info.check_safe(image_info.parse(text), "img")


def test_inspect_real_file(tmp_path):
    f = tmp_path / "f.raw"
    f.write_bytes(b"\0" * 4096)
    info = image_info.inspect(f)
    assert (info.format, info.virtual_size) == ("raw", 4096)
    with pytest.raises(UnsafeImage, match="qemu-img info failed"):
        image_info.inspect(tmp_path / "missing")
