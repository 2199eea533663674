import pytest
from hypothesis import given
from hypothesis import strategies as st

from ramdisk import cmdline
from ramdisk.exception import CmdlineError
from tests.harness.ramdisk_samples import DATA, read_data


def test_ipa_style():
    params = cmdline.parse(read_data("cmdline_ipa.txt"))
    assert params.callback_url == "http://198.51.100.1:6385/v1/continue_inspection"
    assert params.boot_mac == "52:54:00:aa:bb:01"
    assert params.collectors == ["default", "extra-hardware", "logs"]
    assert params.benchmarks == ["cpu", "mem", "disk"]
    assert params.all_disks is False
    assert params.raw["ipa-collect-lldp"] == "1"
    assert params.raw["nofb"] == ""


def test_discoverd_alias_and_plain_uppercase_mac():
    params = cmdline.parse(read_data("cmdline_discoverd.txt"))
    assert params.callback_url == "http://198.51.100.1:5050/v1/continue"
    assert params.boot_mac == "52:54:00:aa:bb:02"
    assert params.benchmarks == []
    assert params.collectors == list(cmdline.DEFAULT_COLLECTORS)


def test_quotes_bad_values_and_init_arguments(caplog):
    params = cmdline.parse(read_data("cmdline_quoted.txt"))
    assert params.raw["acpi_osi"] == "!Windows 2012"
    assert params.callback_url == "http://198.51.100.1:5050/v1/continue"
    assert params.benchmarks == ["cpu"]  # gpu is unknown: ignored, logged
    assert params.all_disks is True
    # the malformed BOOTIF is ignored; the one after "--" belongs to init
    assert params.boot_mac is None
    assert "gpu" in caplog.text and "BOOTIF" in caplog.text


def test_nothing_asked():
    params = cmdline.parse(read_data("cmdline_plain.txt"))
    assert params.callback_url is None and params.boot_mac is None
    assert params.benchmarks == []


def test_ipa_name_wins_over_alias():
    params = cmdline.parse("discoverd_callback_url=http://a/ ipa-inspection-callback-url=http://b/")
    assert params.callback_url == "http://b/"


def test_boot_interface_alias():
    assert cmdline.parse("ipa-inspection-boot-interface=52:54:00:00:00:09").boot_mac == \
        "52:54:00:00:00:09"


def test_read_file():
    assert cmdline.read(str(DATA / "cmdline_ipa.txt")).boot_mac == "52:54:00:aa:bb:01"


@pytest.mark.parametrize("value, expected", [
    ("01-52-54-00-12-34-56", "52:54:00:12:34:56"),
    ("52:54:00:12:34:56", "52:54:00:12:34:56"),
    ("52-54-00-12-34-56", "52:54:00:12:34:56"),
    ("52:54:00:AB:CD:EF", "52:54:00:ab:cd:ef"),
])
def test_normalize_mac(value, expected):
    assert cmdline.normalize_mac(value) == expected


@pytest.mark.parametrize("value", ["", "01-52-54-00", "zz:54:00:12:34:56", "52:54:00:12:34"])
def test_normalize_mac_rejects(value):
    with pytest.raises(CmdlineError, match="BOOTIF"):
        cmdline.normalize_mac(value)


def test_split_last_wins_and_empty_quotes():
    assert cmdline.split('a="" b c=1 c=2') == ["a=", "b", "c=1", "c=2"]
    assert cmdline.to_dict("c=1 c=2") == {"c": "2"}


@given(st.lists(st.text(alphabet="abc-_=.:/0129", min_size=1, max_size=12), max_size=8))
def test_split_round_trips_simple_words(words):
    words = [w for w in words if w != "--"]
    assert cmdline.split(" ".join(words)) == words
