"""The lab-only seams are honoured only with the lab's marker, which init removes."""

import json

import pytest

from ramdisk import boot, cmdline, inventory, lab_seam

LAB = {lab_seam.ENV: "1"}


@pytest.mark.parametrize("environ, expected", [({}, False), ({lab_seam.ENV: "0"}, False),
                                               ({lab_seam.ENV: "yes"}, False), (LAB, True)])
def test_enabled_only_with_the_marker(environ, expected):
    assert lab_seam.enabled(environ) is expected


def test_overlay_and_disks_inert_without_the_marker(caplog):
    assert lab_seam.hardware_overlay("/x/hardware.json", {}) is None
    assert lab_seam.disks(["/x/disk.img"], {}) == []
    assert "ignoring tripleo-lab-hardware=/x/hardware.json" in caplog.text
    assert "ignoring --disk /x/disk.img" in caplog.text
    assert lab_seam.hardware_overlay("/x/hardware.json", LAB) == "/x/hardware.json"
    assert lab_seam.disks(["/x/disk.img"], LAB) == ["/x/disk.img"]
    assert lab_seam.hardware_overlay(None, LAB) is None


def test_init_starts_the_agent_without_the_marker(monkeypatch):
    monkeypatch.setenv(lab_seam.ENV, "1")  # e.g. IRONIC_TRIPLEO_LAB_NODE=1 on the cmdline
    env = lab_seam.agent_environment()
    assert lab_seam.ENV not in env and env["PATH"]


def test_init_runs_the_agent_with_the_cleaned_environment(monkeypatch, mocker):
    monkeypatch.setenv(lab_seam.ENV, "1")
    run = mocker.patch("subprocess.run", autospec=True)
    run.return_value.returncode = 0
    assert boot.run_agent(boot.plan("ipa-inspection-callback-url=http://x/")) == 0
    assert lab_seam.ENV not in run.call_args.kwargs["env"]


def test_payload_ignores_the_overlay_outside_the_lab(tmp_path, monkeypatch, mocker):
    overlay = tmp_path / "hardware.json"
    disk = tmp_path / "disk.img"
    disk.write_bytes(b"\0" * 4096)
    overlay.write_text(json.dumps({"cpus": 99, "memory_mb": 64, "arch": "x86_64", "disks": [
        {"name": "/dev/vda", "path": str(disk), "serial": "LAB1"}]}))
    mocker.patch.object(inventory, "collect_inventory", autospec=True,
                        side_effect=lambda *a: {"cpu": {"count": 2}, "memory": {},
                                                "disks": [], "interfaces": []})
    mocker.patch.object(inventory, "collect_facts", autospec=True, return_value=[])
    params = cmdline.parse(f"tripleo-lab-hardware={overlay}")
    monkeypatch.delenv(lab_seam.ENV, raising=False)
    assert inventory.build_payload(params)["inventory"]["cpu"]["count"] == 2
    monkeypatch.setenv(lab_seam.ENV, "1")
    assert inventory.build_payload(params)["inventory"]["cpu"]["count"] == 99
