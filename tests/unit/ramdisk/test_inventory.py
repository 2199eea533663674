"""Payload assembly: every section present, a failing collector isolated."""

import json
import logging

import pytest

from ramdisk import agent_log, inventory
from ramdisk.cmdline import DiscoveryParams, parse
from ramdisk.collectors import benchmarks, bmc, cpu, hardware_facts, nics
from tests.harness.ramdisk_samples import read_data

GiB = 1024 ** 3
FACTS = hardware_facts.parse_output(read_data("hardware_detect.json"))


@pytest.fixture
def recorded_facts(mocker):
    return mocker.patch.object(hardware_facts, "collect", autospec=True,
                               return_value=[list(f) for f in FACTS])


@pytest.fixture
def capture():
    cap = agent_log.LogCapture().install()
    yield cap
    cap.remove()


def test_full_payload_shape(recorded_facts, capture):
    params = parse("BOOTIF=01-52-54-00-aa-bb-01")
    payload = inventory.build_payload(params, capture=capture, cmdline_text="BOOTIF=...")
    json.dumps(payload)
    inv = payload["inventory"]
    assert set(inv) >= {"interfaces", "cpu", "disks", "memory", "bmc_address", "bmc_v6address",
                        "system_vendor", "boot", "hostname"}
    assert inv["boot"]["pxe_interface"] == "52:54:00:aa:bb:01"
    assert payload["boot_interface"] == "52:54:00:aa:bb:01"
    assert payload["error"] is None
    assert payload["data"][:len(FACTS)] == FACTS
    logs = agent_log.unpack(payload["logs"])
    assert "collecting cpu" in logs[agent_log.ARCHIVE_NAME]
    assert logs["cmdline"] == "BOOTIF=..."


def test_failing_collector_is_isolated(recorded_facts, capture, mocker):
    mocker.patch.object(cpu, "collect", autospec=True, side_effect=RuntimeError("boom"))
    mocker.patch.object(bmc, "collect", autospec=True, side_effect=OSError("no ipmitool"))
    payload = inventory.build_payload(DiscoveryParams(), capture=capture)
    assert payload["error"] == ("collector cpu failed: RuntimeError: boom; "
                                "collector bmc failed: OSError: no ipmitool")
    inv = payload["inventory"]
    assert inv["cpu"]["count"] == 0 and inv["cpu"]["architecture"]
    assert inv["bmc_address"] == bmc.NO_V4
    assert inv["memory"]["physical_mb"] > 0  # the others still ran
    assert "Traceback" in agent_log.unpack(payload["logs"])[agent_log.ARCHIVE_NAME]


def test_failing_facts_keep_nic_facts(mocker, caplog):
    mocker.patch.object(hardware_facts, "collect", autospec=True,
                        side_effect=hardware_facts.CollectorError(
                            collector="hardware_facts", reason="lshw missing"))
    mocker.patch.object(nics, "collect", autospec=True, return_value=[
        {"name": "eth0", "mac_address": "52:54:00:aa:bb:01", "has_carrier": True}])
    with caplog.at_level(logging.INFO):
        payload = inventory.build_payload(DiscoveryParams(collectors=["default"] + [
            "extra-hardware"]))
    assert "lshw missing" in payload["error"]
    assert payload["data"] == [["network", "eth0", "serial", "52:54:00:aa:bb:01"],
                               ["network", "eth0", "link", "yes"]]
    assert "logs" not in payload
    assert "boot MAC" not in caplog.text


def test_no_extra_hardware_no_data(mocker):
    collect = mocker.patch.object(hardware_facts, "collect", autospec=True)
    payload = inventory.build_payload(DiscoveryParams(collectors=["default"]))
    assert "data" not in payload
    collect.assert_not_called()


def test_benchmarks_go_into_data(recorded_facts, mocker):
    bench = mocker.patch.object(benchmarks, "collect", autospec=True,
                                return_value=[["cpu", "logical", "loops_per_sec", "42"]])
    options = inventory.Options(benchmark_duration=0.01)
    payload = inventory.build_payload(DiscoveryParams(benchmarks=["cpu"]), options)
    assert payload["data"][-1] == ["cpu", "logical", "loops_per_sec", "42"]
    assert bench.call_args.args[0] == ["cpu"]
    assert bench.call_args.args[2] == 0.01


def test_unknown_boot_mac_is_logged(recorded_facts, caplog):
    with caplog.at_level(logging.WARNING):
        inventory.build_payload(DiscoveryParams(boot_mac="52:54:00:ff:ff:ff"))
    assert "52:54:00:ff:ff:ff is not among" in caplog.text


def test_guess_root_disk():
    disks = [{"name": "/dev/sda", "size": 2 * GiB}, {"name": "/dev/sdb", "size": 500 * GiB},
             {"name": "/dev/sdc", "size": 100 * GiB}]
    assert inventory.guess_root_disk(disks)["name"] == "/dev/sdc"
    assert inventory.guess_root_disk(disks[:1]) is None
    assert inventory.guess_root_disk([]) is None
