import hashlib

import pytest

from ironic_tripleo.deploy import checksum
from ironic_tripleo.exception import ImageChecksumMismatch, ImageChecksumMissing

SHA256 = hashlib.sha256(b"abc").hexdigest()
MD5 = hashlib.md5(b"abc", usedforsecurity=False).hexdigest()


@pytest.mark.parametrize("info, expected", [
    ({"image_os_hash_algo": "sha256", "image_os_hash_value": SHA256.upper(),
      "image_checksum": MD5}, ("sha256", SHA256)),
    ({"image_checksum": f"sha256:{SHA256}"}, ("sha256", SHA256)),
    ({"image_checksum": SHA256}, ("sha256", SHA256)),
])
def test_from_instance_info(info, expected):
    assert checksum.from_instance_info("img", info) == checksum.Expected(*expected)


def test_md5_only_when_allowed():
    with pytest.raises(ImageChecksumMissing, match="sha256, sha512"):
        checksum.from_instance_info("img", {"image_checksum": MD5})
    assert checksum.from_instance_info("img", {"image_checksum": MD5},
                                       allow_md5=True).algo == "md5"


@pytest.mark.parametrize("info", [{}, {"image_checksum": "xyz"},
                                  {"image_os_hash_algo": "sha256", "image_os_hash_value": MD5},
                                  {"image_checksum": "http://example.com/SHA256SUMS"}])
def test_missing_or_malformed(info):
    with pytest.raises(ImageChecksumMissing, match="img"):
        checksum.from_instance_info("img", info)


def test_verify(tmp_path):
    f = tmp_path / "f"
    f.write_bytes(b"abc")
    checksum.verify("img", f, checksum.Expected("sha256", SHA256))
    assert checksum.file_digest(f, "md5", chunk=1) == MD5
    with pytest.raises(ImageChecksumMismatch) as info:
        checksum.verify("img", f, checksum.Expected("sha256", "0" * 64))
    assert "0" * 64 in str(info.value) and SHA256 in str(info.value)
