import pytest

from ramdisk.deploy import commands
from ramdisk.deploy.exception import InvalidCommand, TargetBusy

GOOD = {"iqn": "iqn.2024-01.org.tripleo:node-1", "username": "user-abcdef12",
        "password": "pass-0123456789", "portal_port": 3260}


def test_valid_start_params():
    commands.validate_start(GOOD)
    commands.validate_start({**GOOD, "root_device_hints": {"size": 10}, "initiator": "ALL"})


@pytest.mark.parametrize("name, value", [
    ("iqn", "not-an-iqn"), ("iqn", None), ("username", "short"), ("password", "has space 123"),
    ("password", "x" * 200), ("portal_port", 0), ("portal_port", "3260"),
    ("portal_port", True), ("root_device_hints", "sda"), ("initiator", "a b"),
])
def test_invalid_start_params(name, value):
    with pytest.raises(InvalidCommand) as info:
        commands.validate_start({**GOOD, name: value})
    assert name in str(info.value)
    if name == "password":
        assert str(value) not in str(info.value)


def test_device_size_of_file(tmp_path):
    f = tmp_path / "disk"
    f.write_bytes(b"\0" * 4096)
    assert commands.device_size(str(f)) == 4096


def test_busy_with_another_iqn(tmp_path):
    cmds = commands.DeployCommands("127.0.0.1", lambda: [])
    cmds.current = {"iqn": "iqn.2024-01.org.tripleo:other"}
    with pytest.raises(TargetBusy, match="other"):
        cmds.start_iscsi_target(GOOD)
    cmds.current = {"iqn": GOOD["iqn"], "device": "/dev/sda"}
    assert cmds.start_iscsi_target(GOOD)["device"] == "/dev/sda"  # idempotent


def test_status_and_stop_without_target():
    cmds = commands.DeployCommands("127.0.0.1", lambda: [])
    assert cmds.status() == {"target": None, "powering_off": False}
    assert cmds.stop_iscsi_target() == {"stopped": None}
