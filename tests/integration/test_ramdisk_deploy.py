"""The ramdisk's deploy mode against real parts: tgtd with CHAP, the userspace
initiators (iscsi-ls, qemu-img), and lookup/heartbeat with a real Ironic 39.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import requests

from ramdisk.deploy import heartbeat
from ramdisk.deploy.command_api import CommandServer
from ramdisk.deploy.commands import DeployCommands
from ramdisk.deploy.exception import HeartbeatFailed, LookupFailed
from tests.harness.fast_track_ironic import (  # noqa: F401 - fixture
    fast_track_ironic,
    node_with_port,
    token_from_db,
)
from tests.harness.iscsi_target import (  # noqa: F401 - fixture
    fresh_credentials,
    iscsi_ls,
    lun_factory,
    require_tgt,
)
from tests.harness.ports import free_port
from tests.harness.waiting import wait_for


def test_chap_right_works_wrong_refused(lun_factory):  # noqa: F811
    lun = lun_factory()
    assert lun.answer["size_bytes"] == 64 * 1024 * 1024
    assert lun.answer["portal"] == f"127.0.0.1:{lun.port}" and lun.answer["lun"] == 1
    ok = iscsi_ls(lun.url())
    assert ok.returncode == 0 and "Lun:1" in ok.stdout, ok.stdout + ok.stderr
    for url in (lun.url(password="wrong-password-1"), lun.url(username="",)):
        refused = iscsi_ls(url)
        assert "Lun:1" not in refused.stdout
        assert "Authentication failure" in refused.stdout + refused.stderr


def test_qemu_img_writes_through_chap_with_secret_file(lun_factory, tmp_path):  # noqa: F811
    lun = lun_factory()
    image = tmp_path / "img"
    image.write_bytes(b"marker-" + os.urandom(4096))
    secret = tmp_path / "pw"
    secret.write_text(lun.password)
    opts = (f"driver=iscsi,transport=tcp,portal={lun.host}:{lun.port},target={lun.iqn},"
            f"lun=1,user={lun.username},password-secret=sec0")
    subprocess.run(["qemu-img", "convert", "-n", "-f", "raw", "--object",
                    f"secret,id=sec0,file={secret}", "--target-image-opts", str(image), opts],
                   check=True, capture_output=True, timeout=60)
    data = image.read_bytes()
    with open(lun.backing, "rb") as f:
        assert f.read(len(data)) == data


def test_stop_removes_target_and_tgtd(lun_factory):  # noqa: F811
    lun = lun_factory()
    proc = lun.commands.daemon.proc
    assert lun.commands.stop_iscsi_target() == {"stopped": lun.iqn}
    assert proc.poll() is not None
    assert "Lun:1" not in iscsi_ls(lun.url()).stdout


def test_command_api_with_real_tgtd(tmp_path):
    require_tgt()
    backing = tmp_path / "disk.img"
    backing.write_bytes(b"")
    os.truncate(backing, 32 * 1024 * 1024)
    from ramdisk.deploy.agent import file_disks

    commands = DeployCommands("127.0.0.1", lambda: file_disks([str(backing)]), min_size=0)
    token = "token-" + os.urandom(8).hex()
    server = CommandServer(("127.0.0.1", 0), commands, token, "node-x", "t").start()
    iqn, user, password = fresh_credentials()
    body = {"iqn": iqn, "username": user, "password": password, "portal_port": free_port()}
    try:
        url = f"{server.url}/v1/commands/start_iscsi_target"
        assert requests.post(url, json=body, timeout=30).status_code == 401
        assert requests.post(url, json=body, headers={"X-Agent-Token": "nope"},
                             timeout=30).status_code == 403
        assert commands.daemon is None  # refused calls started nothing
        r = requests.post(url, json=body, headers={"X-Agent-Token": token}, timeout=30)
        assert r.status_code == 200, r.text
        assert r.json()["device"] == str(backing) and r.json()["size_bytes"] == 32 * 1024 * 1024
        listing = iscsi_ls(f"iscsi://{user}%{password}@127.0.0.1:{body['portal_port']}/")
        assert "Lun:1" in listing.stdout
        r = requests.post(f"{server.url}/v1/commands/stop_iscsi_target", json={},
                          headers={"X-Agent-Token": token}, timeout=30)
        assert r.json() == {"stopped": iqn}
    finally:
        server.stop()
        commands.close()


# --- lookup and heartbeat against a real Ironic -------------------------------------

def test_lookup_and_heartbeat_with_real_ironic(fast_track_ironic):  # noqa: F811
    uuid, mac = node_with_port(fast_track_ironic.url)
    with requests.Session() as s:
        with pytest.raises(LookupFailed):
            heartbeat.lookup(s, fast_track_ironic.url, ["52:54:00:ff:ff:fe"])
        found = heartbeat.lookup(s, fast_track_ironic.url, [mac])
        assert found.node_uuid == uuid and found.agent_token
        assert found.root_device_hints == {"size": ">= 0"}
        with pytest.raises(LookupFailed, match="already handed out"):
            heartbeat.lookup(s, fast_track_ironic.url, [mac])
        heartbeat.heartbeat(s, fast_track_ironic.url, uuid, "http://127.0.0.1:9999",
                            found.agent_token)
        with pytest.raises(HeartbeatFailed, match="token"):
            heartbeat.heartbeat(s, fast_track_ironic.url, uuid, "http://127.0.0.1:9999",
                                "wrong-token")
    log = fast_track_ironic.workdir / "ironic.log"
    wait_for(lambda: f"heartbeat message from node {uuid}" in log.read_text(), timeout=20,
             what="Ironic to process the heartbeat")


def test_agent_process_end_to_end(fast_track_ironic, tmp_path):  # noqa: F811
    """``ironic-tripleo-ramdisk deploy``: lookup, heartbeats, export, power off, exit 0."""
    require_tgt()
    uuid, mac = node_with_port(fast_track_ironic.url)
    disk = tmp_path / "disk.img"
    disk.write_bytes(b"")
    os.truncate(disk, 16 * 1024 * 1024)
    cmdline = tmp_path / "cmdline"
    cmdline.write_text(f"ipa-api-url={fast_track_ironic.url} "
                       f"BOOTIF=01-{mac.replace(':', '-')}\n")
    api_port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ramdisk.cmd", "deploy", "--cmdline", str(cmdline),
         "--listen", "127.0.0.1", "--port", str(api_port), "--advertise-address", "127.0.0.1",
         "--disk", str(disk), "--heartbeat-interval", "0.5", "--poweroff-command", "true"],
        stderr=subprocess.PIPE, text=True, cwd=os.getcwd(),
        env={**os.environ, "IRONIC_TRIPLEO_LAB_NODE": "1"})  # --disk is lab-only
    try:
        log = fast_track_ironic.workdir / "ironic.log"
        wait_for(lambda: f"heartbeat message from node {uuid}" in log.read_text(),
                 timeout=30, what="the agent's heartbeat")
        token = token_from_db(fast_track_ironic, uuid)
        base = f"http://127.0.0.1:{api_port}"
        status = requests.get(f"{base}/v1/status", headers={"X-Agent-Token": token},
                              timeout=10).json()
        assert status["node"] == uuid and status["target"] is None
        iqn, user, password = fresh_credentials()
        portal_port = free_port()
        r = requests.post(f"{base}/v1/commands/start_iscsi_target", timeout=30,
                          headers={"X-Agent-Token": token},
                          json={"iqn": iqn, "username": user, "password": password,
                                "portal_port": portal_port})
        assert r.status_code == 200, r.text
        assert "Lun:1" in iscsi_ls(f"iscsi://{user}%{password}@127.0.0.1:{portal_port}/").stdout
        r = requests.post(f"{base}/v1/commands/power_off", json={"agent_token": token},
                          timeout=30)
        assert r.json() == {"power_off": "scheduled"}
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        stderr = proc.stderr.read() if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
    assert token not in stderr
