"""The built ramdisk: a VM boots it and discovery reports the VM's own hardware.

Builds once per session (``built_ramdisk``; the Debian base is cached across sessions),
boots it in qemu TCG with ``-kernel/-initrd`` and user-mode networking: the guest
reaches the host's loopback at 10.0.2.2, where a small HTTP server takes the POST.
"""

import json
import subprocess
import sys

import pytest

from tests.harness.built_ramdisk import built_ramdisk  # noqa: F401
from tests.harness.http_server import QuietHandler, serving
from tests.harness.ports import free_port
from tests.harness.qemu_guest import direct_boot_argv, run_until_poweroff

CLI = [sys.executable, "-m", "ironic_tripleo.cli.main"]


class _Callback(QuietHandler):
    def do_POST(self):  # noqa: N802
        self.server.posted.append((self.path, self.read_json()))
        self.send_json(202, {"uuid": "11111111-2222-3333-4444-555555555555"})


@pytest.fixture
def callback_server():
    with serving(_Callback) as server:
        server.posted = []
        yield server


def test_vm_discovery_reports_its_own_hardware(built_ramdisk, callback_server,  # noqa: F811
                                               tmp_path):
    disk = tmp_path / "disk.raw"
    with open(disk, "wb") as f:
        f.truncate(6 * 2**30)
    mac, serial, dmi = "52:54:00:5e:00:21", "VIRTIO-SER-7", "DMI-SERIAL-42"
    port = callback_server.server_address[1]
    append = (f"console=ttyS0 ipa-inspection-callback-url=http://10.0.2.2:{port}/v1/continue "
              f"BOOTIF=01-{mac.replace(':', '-')} tripleo-agent-attempts=1 nofb vga=normal "
              # lab-only seams must be inert in the built image, even when asked for
              f"IRONIC_TRIPLEO_LAB_NODE=1 tripleo-lab-hardware=/etc/ironic-tripleo-ramdisk.json")
    argv = direct_boot_argv(built_ramdisk.kernel, built_ramdisk.initramfs, append, mac=mac,
                            disk=disk, disk_serial=serial, smbios_serial=dmi, cpus=2)
    console = tmp_path / "console.log"
    rc = run_until_poweroff(argv, console, timeout=300)
    log = console.read_text(errors="replace")
    assert rc == 0, log[-3000:]
    assert "ironic-tripleo: discovery done; powering off" in log
    assert "ignoring tripleo-lab-hardware=/etc/ironic-tripleo-ramdisk.json" in log
    assert len(callback_server.posted) == 1, log[-3000:]
    path, payload = callback_server.posted[0]
    inv = payload["inventory"]
    assert path == "/v1/continue"
    assert payload["error"] is None
    assert payload["boot_interface"] == mac
    assert inv["cpu"]["count"] == 2
    assert inv["memory"]["physical_mb"] == 512
    assert [(d["name"], d["serial"], d["size"]) for d in inv["disks"]] == [
        ("/dev/vda", serial, 6 * 2**30)]
    assert [i["mac_address"] for i in inv["interfaces"]] == [mac]
    assert inv["interfaces"][0]["ipv4_address"] == "10.0.2.15"  # qemu user-net's DHCP
    assert inv["system_vendor"]["serial_number"] == dmi
    assert inv["system_vendor"]["manufacturer"] == "ironic-tripleo"
    facts = {(c, n, k): v for c, n, k, v in payload["data"]}
    assert facts[("disk", "vda", "id")] == f"virtio-{serial}"
    assert facts[("system", "kernel", "version")] == built_ramdisk.kernel_version


def test_agent_only_rebuild_reuses_the_base(built_ramdisk, tmp_path):  # noqa: F811
    from ramdisk.image import build, spec

    again = build.build(spec.BuildSpec(), tmp_path / "again")
    assert again.base_reused and again.base == built_ramdisk.base
    assert again.output.stat().st_mode & 0o777 == 0o755  # servers read it as others
    assert again.kernel.read_bytes() == built_ramdisk.kernel.read_bytes()
    info = json.loads((again.output / build.INFO).read_text())
    assert info["files"][build.INITRAMFS]["bytes"] == again.initramfs.stat().st_size


def _cli(*args, user=None, cache=None):
    argv = [*CLI, "ramdisk", "build", *args]
    if cache is not None:
        argv += ["--cache-dir", str(cache)]
    if user:
        argv = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *argv]
    return subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False,
                          cwd="/")


def test_unknown_package_is_named_and_leaves_no_output(tmp_path):
    out = tmp_path / "out"
    result = _cli("--output", str(out), "--extra-package", "no-such-package-ironic-tripleo",
                  cache=tmp_path / "cache")
    assert result.returncode == 1
    assert "unknown Debian package(s) no-such-package-ironic-tripleo" in result.stderr
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]
    assert not [p for p in (tmp_path / "cache").iterdir() if p.name.startswith("base-")]


def test_unreachable_mirror_is_named(tmp_path):
    out = tmp_path / "out"
    mirror = f"http://127.0.0.1:{free_port()}/debian"
    result = _cli("--output", str(out), "--mirror", mirror, cache=tmp_path / "cache")
    assert result.returncode == 1
    assert f"the Debian mirror {mirror} cannot be reached" in result.stderr
    assert not out.exists()


def test_not_root_is_refused(tmp_path):
    out = tmp_path / "out"
    tmp_path.chmod(0o777)
    result = _cli("--output", str(out), user=65534, cache=tmp_path / "cache")
    assert result.returncode == 1
    assert "ramdisk build must run as root" in result.stderr and "uid 65534" in result.stderr
    assert not out.exists()
