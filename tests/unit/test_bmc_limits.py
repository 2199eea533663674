"""The one check per BMC fact, and that its users apply it."""

import pytest

from ironic_tripleo import bmc_limits
from ironic_tripleo.enroll.inventory import InventoryError, validate
from ironic_tripleo.ipmi import driver_info
from ironic_tripleo.vbmc import handshake


@pytest.mark.parametrize(("text", "ok"), [
    ("10.0.0.5", True), ("fd00::5", True), ("bmc-1.example.org", True),
    ("bmc_1", False), ("-bmc", False), ("1234", False), ("a..b", False), ("", False)])
def test_address(text, ok):
    assert bmc_limits.is_address(text) is ok


@pytest.mark.parametrize(("value", "port"), [
    (623, 623), ("623", 623), (623.0, 623), (0, None), (65536, None), (True, None),
    (623.5, None), ("x", None), (None, None)])
def test_port(value, port):
    assert bmc_limits.port_number(value) == port


def test_credential_limits_are_ipmi_2_and_shared():
    assert bmc_limits.fits("u" * 16, bmc_limits.USERNAME_MAX_BYTES)
    assert not bmc_limits.fits("é" * 9, bmc_limits.USERNAME_MAX_BYTES)  # 18 bytes
    assert not bmc_limits.fits(None, 20)
    assert (driver_info.MAX_USERNAME_BYTES, driver_info.MAX_PASSWORD_BYTES) == (16, 20)
    assert (handshake.USERNAME_MAX, handshake.PASSWORD_MAX) == (16, 20)


def test_driver_info_and_inventory_judge_an_address_the_same():
    for address in ("bmc_1", "10.0.0.5"):
        _missing, bad = driver_info.find_problems({"ipmi_address": address})
        node = {"pm_type": "ipmi", "pm_addr": address, "pm_user": "admin",
                "pm_password": "pw", "ports": [{"address": "52:54:00:00:00:01"}]}
        try:
            validate({"nodes": [node]}, "test")
            inventory_ok = True
        except InventoryError:
            inventory_ok = False
        assert (not bad) is inventory_ok is bmc_limits.is_address(address), address
