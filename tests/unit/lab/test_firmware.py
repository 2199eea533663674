import pytest

from ironic_tripleo.lab import firmware


@pytest.mark.parametrize(("cmdline", "mode"), [
    ("ipa-api-url=http://198.51.100.1:6385 BOOTIF=01-52-54-00-aa-bb-cc", "deploy"),
    ("ipa-api-url=http://h:1 ipa-inspection-callback-url=http://h:2/v1/continue", "discover"),
    ("ipa-inspection-callback-url=http://h:2/v1/continue", "discover"),
    ("", "discover"),
])
def test_ramdisk_mode(cmdline, mode):
    assert firmware.ramdisk_mode(cmdline) == mode
