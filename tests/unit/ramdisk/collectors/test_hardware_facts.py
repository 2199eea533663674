import json

import pytest

from ramdisk.collectors import hardware_facts
from ramdisk.exception import CollectorError
from tests.harness.ramdisk_samples import read_data


def test_parse_recorded_output_stringifies_ints():
    facts = hardware_facts.parse_output(read_data("hardware_detect.json"))
    assert facts
    assert all(isinstance(v, str) for fact in facts for v in fact)
    assert ["memory", "total", "size", "25769803776"] in facts
    assert ["cpu", "physical", "number", "1"] in facts


def test_parse_drops_malformed_and_rejects_non_lists():
    assert hardware_facts.parse_output('[["a","b","c",1], ["short"], ["a","b","c","d","e"]]') \
        == [["a", "b", "c", "1"]]
    with pytest.raises(CollectorError, match="not a list"):
        hardware_facts.parse_output('{"a": 1}')
    with pytest.raises(CollectorError, match="no JSON"):
        hardware_facts.parse_output("Traceback ...")


def test_nic_facts_adds_only_missing_nics():
    facts = hardware_facts.parse_output(read_data("hardware_detect.json"))
    interfaces = [
        {"name": "eth0", "mac_address": "02:fc:00:00:00:01"},
        {"name": "veth0", "mac_address": "52:54:00:aa:bb:01", "ipv4_address": "198.51.100.21",
         "ipv6_address": None, "has_carrier": True, "speed_mbps": 10000},
    ]
    assert hardware_facts.nic_facts(interfaces, facts) == [
        ["network", "veth0", "serial", "52:54:00:aa:bb:01"],
        ["network", "veth0", "ipv4", "198.51.100.21"],
        ["network", "veth0", "link", "yes"],
        ["network", "veth0", "speed", "10000Mbps"],
    ]


def _script(tmp_path, body):
    path = tmp_path / "hardware-detect"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


def test_collect_runs_the_script(tmp_path):
    detect = _script(tmp_path, "echo noise >&2; echo '[[\"cpu\", \"logical\", \"number\", 2]]'")
    assert hardware_facts.collect(detect=detect) == [["cpu", "logical", "number", "2"]]


def test_collect_failure_and_timeout(tmp_path):
    failing = _script(tmp_path, "echo 'lshw: not found' >&2; exit 1")
    with pytest.raises(CollectorError, match="exited 1: lshw: not found"):
        hardware_facts.collect(detect=failing)
    slow = tmp_path / "slow"
    slow.mkdir()
    with pytest.raises(CollectorError, match="more than 0.2s"):
        hardware_facts.collect(timeout=0.2, detect=_script(slow, "sleep 5"))


def test_find_detect_missing(mocker):
    mocker.patch.object(hardware_facts.Path, "exists", autospec=True, return_value=False)
    mocker.patch.object(hardware_facts.shutil, "which", autospec=True, return_value=None)
    with pytest.raises(CollectorError, match="pip install hardware"):
        hardware_facts.find_detect()


def test_real_hardware_detect_is_a_fact_list():
    facts = hardware_facts.collect(timeout=120)
    assert any(f[0] == "memory" for f in facts)
    json.dumps(facts)
