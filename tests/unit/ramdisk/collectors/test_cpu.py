import platform

from ramdisk.collectors import cpu
from tests.harness.ramdisk_samples import DATA, read_data


def test_parse_x86():
    info = cpu.parse_cpuinfo(read_data("cpuinfo_x86_2cpu.txt"))
    assert info["model_name"]
    assert float(info["frequency"]) > 0
    assert "fpu" in info["flags"]
    assert info["socket_count"] == 1


def test_parse_arm64_uses_features():
    info = cpu.parse_cpuinfo(read_data("cpuinfo_arm64.txt"))
    assert info["model_name"] == ""
    assert "asimd" in info["flags"]
    assert info["socket_count"] == 1


def test_parse_two_sockets():
    text = "processor: 0\nphysical id: 0\n\nprocessor: 1\nphysical id: 1\n"
    assert cpu.parse_cpuinfo(text)["socket_count"] == 2


def test_collect_from_recorded_file():
    result = cpu.collect(str(DATA / "cpuinfo_arm64.txt"))
    assert result["architecture"] == platform.machine()
    assert result["count"] >= 1
    assert result["flags"][0] == "fp"
    assert set(result) >= {"count", "architecture", "model_name", "frequency", "flags"}
