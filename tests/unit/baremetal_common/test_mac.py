"""The one MAC parser of the conductor plugins, discoverd and the ahc tools."""

import pytest

from baremetal_common.mac import normalize_mac


@pytest.mark.parametrize(("value", "expected"), [
    ("52:54:00:AA:bb:01", "52:54:00:aa:bb:01"),
    (" 52:54:00:aa:bb:01\n", "52:54:00:aa:bb:01"),
])
def test_accepted(value, expected):
    assert normalize_mac(value) == expected
    assert normalize_mac(value, pxe_form=True) == expected


@pytest.mark.parametrize("value", [
    None, 5, "", "52:54:00:aa:bb", "52:54:00:aa:bb:01:02", "52:54:00:aa:bb:0g",
    "52:54:00:aa:bb:1", "525400aabb01", "52-54-00-aa-bb-01", "01-52-54-00-aa-bb-01"])
def test_rejected_in_strict_form(value):
    assert normalize_mac(value) is None


def test_pxe_form():
    assert normalize_mac("01-52-54-00-AA-BB-01", pxe_form=True) == "52:54:00:aa:bb:01"
    assert normalize_mac("52-54-00-aa-bb-01", pxe_form=True) == "52:54:00:aa:bb:01"
    assert normalize_mac("02-52-54-00-aa-bb-01", pxe_form=True) is None
