import random

import pytest

from ramdisk.deploy import iscsi_target
from ramdisk.deploy.exception import TargetError


def test_export_commands_with_chap():
    export = iscsi_target.Export("iqn.2024-01.org.example:n1", "/dev/sda", "user1",
                                 "secretsecret1", "198.51.100.9")
    cmds = iscsi_target.export_commands(export, tid=3)
    assert cmds[0] == ["--lld", "iscsi", "--mode", "target", "--op", "new", "--tid", "3",
                       "-T", "iqn.2024-01.org.example:n1"]
    assert cmds[1][-2:] == ["-b", "/dev/sda"] and "--lun" in cmds[1]
    assert cmds[2][-4:] == ["--user", "user1", "--password", "secretsecret1"]
    assert cmds[3][-4:] == ["--tid", "3", "--user", "user1"]
    assert cmds[4][-2:] == ["-I", "198.51.100.9"]
    assert "secretsecret1" not in repr(export)


def test_export_without_chap_and_unexport():
    export = iscsi_target.Export("iqn.2024-01.org.example:n1", "/tmp/f")
    assert len(iscsi_target.export_commands(export)) == 3
    assert iscsi_target.unexport_commands(export) == [
        ["--lld", "iscsi", "--mode", "target", "--op", "delete", "--force", "--tid", "1"]]


def test_chap_user_needs_password():
    with pytest.raises(TargetError, match="needs a password"):
        iscsi_target.export_commands(iscsi_target.Export("iqn.2024-01.x:y", "/f", "u"))


def test_masked():
    masked = iscsi_target._masked(["a", "--password", "s3cret", "b"])
    assert masked == ["a", "--password", "***", "b"]


def test_free_control_port_skips_existing(tmp_path):
    rng = random.Random(4)
    first = iscsi_target.free_control_port(str(tmp_path), random.Random(4))
    (tmp_path / f"socket.{first}").touch()
    assert iscsi_target.free_control_port(str(tmp_path), rng) != first


def test_daemon_default_portal(tmp_path):
    daemon = iscsi_target.TargetDaemon("198.51.100.5", socket_dir=str(tmp_path))
    assert daemon.portal == "198.51.100.5:3260" and not daemon.running
    daemon.stop()  # idempotent when never started
