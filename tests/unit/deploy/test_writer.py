import os
import threading

import pytest

from ironic_tripleo.deploy import kernel_iscsi, writer
from ironic_tripleo.deploy.target import Target
from ironic_tripleo.exception import WriteSlotTimeout

T = Target("198.51.100.7", 3260, "iqn.2024-01.org.x:n1", "user-1", "s3cret-s3cret")


def test_image_opts():
    assert T.image_opts() == ("driver=iscsi,transport=tcp,portal=198.51.100.7:3260,"
                              "target=iqn.2024-01.org.x:n1,lun=1,user=user-1,"
                              "password-secret=chap0")
    sized = T.image_opts(4096)
    assert sized.startswith("driver=raw,size=4096,file.driver=iscsi,file.transport=tcp,")
    assert "file.password-secret=chap0" in sized and "s3cret" not in sized
    assert "s3cret" not in repr(T)
    assert Target("::1", 3260, "iqn.x").portal == "[::1]:3260"


def test_secret_file_is_private_and_removed():
    with writer.secret_args(T) as args:
        path = args[1].split("file=")[1].split(",")[0]
        assert open(path).read() == "s3cret-s3cret"
        assert os.stat(path).st_mode & 0o777 == 0o600
    assert not os.path.exists(path)
    with writer.secret_args(Target("h", 1, "iqn.x")) as args:
        assert args == []


def test_write_slots():
    slots = writer.WriteSlots(1)
    with slots.slot(1):
        with pytest.raises(WriteSlotTimeout, match="1 image write"):
            with slots.slot(0.05):
                pass
    with slots.slot(0.05):
        pass


def test_write_slots_threads():
    slots, inside, peak = writer.WriteSlots(2), [], []
    lock = threading.Lock()

    def work():
        with slots.slot(5):
            with lock:
                inside.append(1)
                peak.append(len(inside))
            threading.Event().wait(0.05)
            with lock:
                inside.pop()

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert max(peak) == 2


def test_choose_mode(tmp_path):
    assert writer.choose_mode("userspace") == "userspace"
    assert writer.choose_mode("kernel") == "kernel"
    assert kernel_iscsi.available(str(tmp_path / "nope")) is False


def test_kernel_commands_and_masking():
    steps = kernel_iscsi.node_commands(T)
    assert steps["discover"][0][-1] == "198.51.100.7:3260"
    assert steps["login"][-1][-1] == "--login" and len(steps["login"]) == 4
    assert [s[-1] for s in steps["logout"]] == ["--logout", "delete"]
    shown = kernel_iscsi.masked(steps["login"][2])
    assert "s3cret-s3cret" not in shown and shown[-1] == "***"
    assert kernel_iscsi.device_path(T).endswith(
        "ip-198.51.100.7:3260-iscsi-iqn.2024-01.org.x:n1-lun-1")


def test_silent_portal_is_target_unavailable_not_a_crash():
    """A portal that accepts connections and never speaks iSCSI (a hung tgtd): the
    probe is killed at the deadline and reported as the target not answering."""
    import socket

    from ironic_tripleo.exception import ISCSITargetUnavailable

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        target = Target("127.0.0.1", listener.getsockname()[1],
                               "iqn.2026-11.org.example:hung", "user-1234", "pass-12345678")
        # ended by the probe's own 5 s timeout (a hung qemu-img killed), not a hang
        with pytest.raises(ISCSITargetUnavailable, match="iqn.2026-11.org.example:hung.*"
                           "qemu-img info gave no answer within 5s"):
            writer.wait_for_target(target, timeout=1)


def test_long_write_logs_its_progress(caplog):
    import logging
    import sys

    script = ("import sys, time\n"
              "for pct in (10, 20, 30, 40, 50):\n"
              "    sys.stdout.write(f'    ({pct}.00/100%)\\r'); sys.stdout.flush()\n"
              "    time.sleep(0.15)\n")
    with caplog.at_level(logging.INFO, logger="ironic_tripleo.deploy.writer"):
        result = writer._run_watched([sys.executable, "-c", script], timeout=30,
                                     stall_timeout=10, interval=0.02, label="writing img",
                                     log_every=0.2)
    assert result.returncode == 0
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("writing img")]
    assert len(lines) >= 2, lines
    assert any("/100%)" in line for line in lines), lines
