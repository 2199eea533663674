"""bmc: parsing recorded ipmitool output; channel walk with ipmitool mocked."""

import subprocess

from ramdisk.collectors import bmc
from tests.harness.ramdisk_samples import read_data


def test_parse_lan_print():
    assert bmc.parse_lan_print(read_data("ipmitool_lan_print.txt")) == {
        "address": "198.51.100.42", "mac": "0c:c4:7a:3b:5e:10"}


def test_parse_lan_print_unconfigured():
    assert bmc.parse_lan_print(read_data("ipmitool_lan_print_unconfigured.txt")) == {
        "address": None, "mac": None}


def test_parse_lan6_print_prefers_first_active():
    assert bmc.parse_lan6_print(read_data("ipmitool_lan6_print.txt")) == \
        "fe80::ec4:7aff:fe3b:5e10"


def test_parse_lan6_print_nothing():
    assert bmc.parse_lan6_print("IPv6 Static Address 0:\n    Address: ::/0\n") is None
    assert bmc.parse_lan6_print("") is None


def test_no_ipmi_device_means_ipa_defaults(tmp_path, mocker):
    run = mocker.patch.object(subprocess, "run", autospec=True)
    assert bmc.collect(devices=(str(tmp_path / "ipmi0"),)) == {
        "bmc_address": bmc.NO_V4, "bmc_v6address": "::/0"}
    run.assert_not_called()


def test_collect_walks_channels(tmp_path, mocker):
    device = tmp_path / "ipmi0"
    device.touch()
    answers = {
        ("lan", "print", "1"): (1, ""),
        ("lan", "print", "2"): (0, read_data("ipmitool_lan_print.txt")),
        ("lan6", "print", "2"): (0, read_data("ipmitool_lan6_print.txt")),
    }

    def fake_run(argv, **kwargs):
        code, out = answers.get(tuple(argv[1:]), (1, ""))
        return subprocess.CompletedProcess(argv, code, out, "error")

    mocker.patch.object(subprocess, "run", autospec=True, side_effect=fake_run)
    assert bmc.collect(devices=(str(device),)) == {
        "bmc_address": "198.51.100.42", "bmc_v6address": "fe80::ec4:7aff:fe3b:5e10",
        "bmc_mac": "0c:c4:7a:3b:5e:10"}


def test_collect_survives_missing_ipmitool(tmp_path, mocker):
    device = tmp_path / "ipmi0"
    device.touch()
    mocker.patch.object(subprocess, "run", autospec=True,
                        side_effect=FileNotFoundError("ipmitool"))
    assert bmc.collect(devices=(str(device),))["bmc_address"] == bmc.NO_V4
