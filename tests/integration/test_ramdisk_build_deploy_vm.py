"""The built ramdisk's deploy mode in a VM: lookup and heartbeat with a real Ironic 39,
tgtd in the guest exporting the VM's own virtio disk, a write through it, power off.

qemu user-mode networking: the guest reaches the host's loopback (Ironic) at 10.0.2.2;
the agent's command API (9999) and iSCSI portal (3260) are forwarded to host ports.
"""

import os
import subprocess

import requests

from tests.harness.built_ramdisk import built_ramdisk  # noqa: F401
from tests.harness.fast_track_ironic import (  # noqa: F401 - fixture
    fast_track_ironic,
    node_with_port,
    token_from_db,
)
from tests.harness.iscsi_target import fresh_credentials, require_tgt
from tests.harness.ports import free_port
from tests.harness.qemu_guest import direct_boot_argv
from tests.harness.waiting import wait_for


def _hostfwd(argv: list[str], api_port: int, portal_port: int) -> list[str]:
    i = argv.index("user,id=n0")
    argv[i] = (f"user,id=n0,hostfwd=tcp:127.0.0.1:{api_port}-:9999,"
               f"hostfwd=tcp:127.0.0.1:{portal_port}-:3260")
    return argv


def test_vm_deploy_mode_exports_its_own_disk(built_ramdisk, fast_track_ironic,  # noqa: F811
                                             tmp_path):
    require_tgt()
    uuid, mac = node_with_port(fast_track_ironic.url)
    disk = tmp_path / "disk.raw"
    with open(disk, "wb") as f:
        f.truncate(5 * 2**30)
    ironic_port = int(fast_track_ironic.url.rsplit(":", 1)[1])
    api_port, portal_port = free_port(), free_port()
    append = (f"console=ttyS0 ipa-api-url=http://10.0.2.2:{ironic_port} "
              f"BOOTIF=01-{mac.replace(':', '-')}")
    argv = _hostfwd(direct_boot_argv(built_ramdisk.kernel, built_ramdisk.initramfs, append,
                                     mac=mac, disk=disk, disk_serial="DEPLOY-1",
                                     smbios_serial="DMI-DEPLOY"), api_port, portal_port)
    console = tmp_path / "console.log"
    with open(console, "wb") as log:
        vm = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                              stderr=subprocess.STDOUT)
    try:
        ironic_log = fast_track_ironic.workdir / "ironic.log"
        wait_for(lambda: f"heartbeat message from node {uuid}" in ironic_log.read_text()
                 or vm.poll() is not None, timeout=400, interval=2,
                 what="the VM agent's heartbeat")
        assert vm.poll() is None, console.read_text(errors="replace")[-3000:]
        token = token_from_db(fast_track_ironic, uuid)
        base = f"http://127.0.0.1:{api_port}"
        status = requests.get(f"{base}/v1/status", headers={"X-Agent-Token": token},
                              timeout=30).json()
        assert status["node"] == uuid and status["target"] is None
        iqn, user, password = fresh_credentials()
        r = requests.post(f"{base}/v1/commands/start_iscsi_target", timeout=120,
                          headers={"X-Agent-Token": token},
                          json={"iqn": iqn, "username": user, "password": password})
        assert r.status_code == 200, r.text
        assert r.json()["device"] == "/dev/vda" and r.json()["size_bytes"] == 5 * 2**30
        # straight to the target: a SendTargets discovery (iscsi-ls) would answer the
        # guest's own portal 10.0.2.15:3260, which the host cannot reach through NAT
        portal = f"127.0.0.1:{portal_port}"
        image = tmp_path / "image.raw"
        marker = b"ironic-tripleo-deployed-" + os.urandom(8).hex().encode()
        image.write_bytes(marker + b"\0" * (1024 * 1024 - len(marker)))
        secret = tmp_path / "pw"
        secret.write_text(password)
        opts = (f"driver=iscsi,transport=tcp,portal={portal},target={iqn},lun=1,"
                f"user={user},password-secret=sec0")
        subprocess.run(["qemu-img", "convert", "-n", "-f", "raw", "--object",
                        f"secret,id=sec0,file={secret}", "--target-image-opts", str(image),
                        opts], check=True, capture_output=True, timeout=300)
        r = requests.post(f"{base}/v1/commands/power_off", json={"agent_token": token},
                          timeout=60)
        assert r.json() == {"power_off": "scheduled"}
        assert vm.wait(timeout=120) == 0  # the guest powered off: qemu exits
    finally:
        if vm.poll() is None:
            vm.kill()
            vm.wait(10)
    with open(disk, "rb") as f:
        assert f.read(len(marker)) == marker
    assert token not in console.read_text(errors="replace")
