import argparse

import pytest

from ramdisk.deploy import agent
from ramdisk.deploy.exception import NoAPIURL


def _args(tmp_path, text, **kw):
    path = tmp_path / "cmdline"
    path.write_text(text)
    base = {"cmdline": str(path), "ironic_url": None, "mac": []}
    base.update(kw)
    return argparse.Namespace(**base)


def test_resolve_from_kernel_cmdline(tmp_path):
    args = _args(tmp_path, "ipa-api-url=http://198.51.100.1:6385 BOOTIF=01-52-54-00-aa-bb-01")
    assert agent.resolve(args) == ("http://198.51.100.1:6385", ["52:54:00:aa:bb:01"])


def test_resolve_arguments_win(tmp_path):
    args = _args(tmp_path, "ipa-api-url=http://a BOOTIF=01-52-54-00-aa-bb-01",
                 ironic_url="http://b", mac=["52-54-00-AA-BB-02"])
    assert agent.resolve(args) == ("http://b", ["52:54:00:aa:bb:02"])


def test_resolve_without_url(tmp_path):
    with pytest.raises(NoAPIURL, match="ipa-api-url"):
        agent.resolve(_args(tmp_path, "BOOTIF=01-52-54-00-aa-bb-01"))


def test_nic_macs(tmp_path):
    for name, mac in (("lo", "00:00:00:00:00:00"), ("eth0", "52:54:00:AA:BB:01"),
                      ("dummy", "")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "address").write_text(mac + "\n")
    assert agent.nic_macs(str(tmp_path)) == ["52:54:00:aa:bb:01"]


def test_file_disks_and_source_address(tmp_path):
    f = tmp_path / "disk"
    f.write_bytes(b"\0" * 1024)
    assert agent.file_disks([str(f)])[0]["size"] == 1024
    assert agent.source_address("http://127.0.0.1:6385") == "127.0.0.1"


def test_run_without_url_is_usage_error(tmp_path):
    assert agent.run(_args(tmp_path, "")) == 2


def test_lab_disks_from_the_overlay(tmp_path, monkeypatch):
    import json

    monkeypatch.setenv("IRONIC_TRIPLEO_LAB_NODE", "1")

    disk = tmp_path / "disk.img"
    disk.write_bytes(b"\0" * 4096)
    overlay = tmp_path / "hardware.json"
    overlay.write_text(json.dumps({"cpus": 1, "memory_mb": 64, "arch": "x86_64", "disks": [
        {"name": "/dev/vda", "path": str(disk), "serial": "LAB1", "rotational": False}]}))
    cmdline = tmp_path / "cmdline"
    cmdline.write_text(f"ipa-api-url=http://h:1 tripleo-lab-hardware={overlay}\n")
    [record] = agent.lab_disks(str(cmdline))
    assert record["name"] == str(disk) and record["size"] == 4096
    assert record["serial"] == "LAB1"
    monkeypatch.delenv("IRONIC_TRIPLEO_LAB_NODE")
    assert agent.lab_disks(str(cmdline)) is None  # inert outside the lab
    cmdline.write_text("ipa-api-url=http://h:1\n")
    assert agent.lab_disks(str(cmdline)) is None
    assert agent.lab_disks(str(tmp_path / "missing")) is None
