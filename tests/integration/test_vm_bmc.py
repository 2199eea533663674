"""VM lab nodes behind the virtual BMC, driven with ipmitool.

One VM lab (one 512 MiB qemu VM on a tap of the lab bridge, real dnsmasq with IPv6
RAs, the real pxelinux) for the module. The node's disk holds the marker image
(a bootable whole-disk image whose init prints a marker on ttyS0 and powers off on
an ACPI power button). ipmitool against the lab's vBMC: power on boots the disk and
the marker shows in ``console.log``; ``power soft`` reaches the guest as an ACPI
power-down and it powers itself off; ``power reset`` is a QMP system reset (same
qemu, a second boot); a one-time PXE boot is used once and the next power-on boots
the disk, a persistent one is used on two power cycles (DHCP from the VM's MAC in
dnsmasq's log shows its NIC ROM ran).

Tests that need the NIC ROM to do something write their own ``boot.ipxe`` into the
lab's HTTP root (no node is enrolled, so Ironic writes none): the built ramdisk
(``built_ramdisk``) waiting in deploy mode for ``power soft``, or iPXE's ``reboot``
command, a reboot the guest does itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
from pathlib import Path

import pytest

from ironic_tripleo.lab import bmc_process, netns, process
from ironic_tripleo.lab.lab import Lab, running_lab
from ironic_tripleo.lab.node import NodeSpec
from tests.harness.built_ramdisk import built_ramdisk  # noqa: F401 - fixture
from tests.harness.vm_nodes import (  # noqa: F401 - fixtures
    MARKER,
    console,
    dhcp_discovers,
    marker_image_files,
    vm_kernel,
    wait_console,
    write_disk,
)
from tests.harness.waiting import wait_for

SPEC = NodeSpec(name="vm0", cpus=1, memory_mb=512, disk_gb=1)


@pytest.fixture(scope="module")
def vm_lab(tmp_path_factory, marker_image_files):  # noqa: F811
    files = marker_image_files
    with running_lab(tmp_path_factory.mktemp("vmlab"), [SPEC], subnet="auto",
                     node_kind="vm", ramdisk=(files.kernel, files.initramfs),
                     accel="auto") as lab:
        write_disk(files.disk, lab["nodes"][0]["disk"])
        yield lab


def ipmi(lab: dict, *command: str) -> str:
    result = bmc_process.ipmitool(lab["nodes"][0]["bmc"], *command, timeout=20)
    assert result.returncode == 0, (command, result.stdout, result.stderr)
    return result.stdout.strip()


def power(lab: dict) -> str:
    return ipmi(lab, "power", "status")


def qemu_pid(lab: dict) -> int | None:
    pid = process.read_pid(Path(lab["nodes"][0]["node_dir"]) / "firmware.pid")
    return pid if process.is_alive(pid) else None


def last_boot(lab: dict) -> str:
    return json.loads((Path(lab["nodes"][0]["node_dir"]) / "last_boot.json").read_text())[
        "device"]


def power_off(lab: dict) -> None:
    ipmi(lab, "power", "off")
    wait_for(lambda: power(lab).endswith("off"), 10, 0.2, what="power off")
    assert qemu_pid(lab) is None


def test_lab_plumbing(vm_lab):
    node = vm_lab["nodes"][0]
    net = vm_lab["network"]
    assert node["kind"] == "vm" and node["namespace"] is None
    assert netns.link_info(node["tap"])["master"] == net["bridge"]
    addresses = netns.ip("-6", "addr", "show", "dev", net["bridge"]).stdout
    assert f"{net['ipv6_prefix']}1/64" in addresses
    dnsmasq = process.read_pid(Path(vm_lab["dnsmasq"]["pid_file"]))
    argv = process.cmdline(dnsmasq)
    assert "--enable-ra" in argv and f"--dhcp-range={net['ipv6_prefix']},ra-only" in argv
    tftp = Path(vm_lab["dnsmasq"]["tftp_root"])
    assert (tftp / "pxelinux.0").read_bytes()[:4] != b"iron"  # the real one
    assert (tftp / "ldlinux.c32").exists()


def test_power_on_boots_disk_reset_and_acpi_soft_off(vm_lab):
    node = vm_lab["nodes"][0]
    assert power(vm_lab).endswith("off")
    before = console(node).count(MARKER)
    ipmi(vm_lab, "chassis", "bootdev", "disk", "options=persistent")
    ipmi(vm_lab, "power", "on")
    pid = qemu_pid(vm_lab)
    assert pid and power(vm_lab).endswith("on") and last_boot(vm_lab) == "disk"
    argv = " ".join(process.cmdline(pid))
    vm = node["vm"]
    for expected in (f"-m {SPEC.memory_mb}", f"-smp {SPEC.cpus}", f"mac={node['mac']}",
                     f"ifname={node['tap']}", f"serial={vm['disks'][0]['serial']}",
                     f"serial={vm['smbios']['serial']}", f"file={node['disk']},format=raw"):
        assert expected in argv, (expected, shlex.split(argv))
    wait_console(node, MARKER, before + 1)

    ipmi(vm_lab, "power", "reset")  # QMP system_reset: the same qemu boots again
    wait_console(node, MARKER, before + 2)
    assert qemu_pid(vm_lab) == pid

    ipmi(vm_lab, "power", "soft")
    wait_for(lambda: power(vm_lab).endswith("off"), 120, 0.5, what="ACPI soft off")
    assert "ACPI power button, powering off" in console(node)


def _pxe_cycle(lab: dict) -> None:
    """Power on, wait for the NIC ROM's DHCP, power off."""
    mac = lab["nodes"][0]["mac"]
    before = dhcp_discovers(lab, mac)
    ipmi(lab, "power", "on")
    assert last_boot(lab) == "pxe"
    wait_for(lambda: dhcp_discovers(lab, mac) > before, 60, 0.5,
             what="a DHCPDISCOVER from the VM's NIC ROM")
    power_off(lab)


def _disk_cycle(lab: dict) -> None:
    node = lab["nodes"][0]
    before = console(node).count(MARKER)
    discovers = dhcp_discovers(lab, node["mac"])
    ipmi(lab, "power", "on")
    assert last_boot(lab) == "disk"
    wait_console(node, MARKER, before + 1)
    assert dhcp_discovers(lab, node["mac"]) == discovers
    power_off(lab)


def test_boot_device_once_then_persistent(vm_lab):
    if power(vm_lab).endswith("on"):
        power_off(vm_lab)
    ipmi(vm_lab, "chassis", "bootdev", "disk", "options=persistent")
    ipmi(vm_lab, "chassis", "bootdev", "pxe")  # next boot only
    _pxe_cycle(vm_lab)
    _disk_cycle(vm_lab)  # the one-time device was used up

    ipmi(vm_lab, "chassis", "bootdev", "pxe", "options=persistent")
    _pxe_cycle(vm_lab)
    _pxe_cycle(vm_lab)
    ipmi(vm_lab, "chassis", "bootdev", "disk", "options=persistent")


def test_lab_down_kills_qemu_and_removes_tap(tmp_path, marker_image_files):  # noqa: F811
    files = marker_image_files
    lab = Lab(tmp_path / "lab")
    try:
        state = lab.up([SPEC], subnet="auto", node_kind="vm",
                       ramdisk=(files.kernel, files.initramfs), accel="tcg")
        ipmi(state, "power", "on")
        pid = qemu_pid(state)
        assert pid and lab.status()["nodes"][0]["power"] == "on"
    finally:
        lab.down()
    assert not process.is_alive(pid)
    assert not netns.link_exists(state["nodes"][0]["tap"])
    assert not netns.link_exists(state["network"]["bridge"])
    # Up again in the same directory (a new Ironic database), and down.
    try:
        again = lab.up([SPEC], subnet="auto", node_kind="vm",
                       ramdisk=(files.kernel, files.initramfs), accel="tcg")
        assert again["state"] == "up" and again["lab_id"] != state["lab_id"]
    finally:
        lab.down()


def http_url(lab: dict) -> str:
    return f"http://{lab['network']['host_address']}:{lab['http']['port']}"


@contextlib.contextmanager
def ipxe_script(lab: dict, script: str, files: tuple[Path, ...] = ()):
    """Serve ``script`` as the lab's ``boot.ipxe`` and ``files`` next to it; at the
    end power the node off and remove them."""
    root = Path(lab["http"]["root"])
    placed = [root / "boot.ipxe", *(root / source.name for source in files)]
    try:
        for source, path in zip(files, placed[1:], strict=True):
            path.unlink(missing_ok=True)
            try:
                os.link(source, path)
            except OSError:
                shutil.copyfile(source, path)
        placed[0].write_text("#!ipxe\n" + script)
        yield
    finally:
        if power(lab).endswith("on"):
            power_off(lab)
        for path in placed:
            path.unlink(missing_ok=True)


def test_built_ramdisk_powers_off_on_acpi_soft_off(vm_lab, built_ramdisk):  # noqa: F811
    """The built image in deploy mode (looking up a node Ironic does not know, so it
    stays up) obeys ``power soft``: the guest powers itself off and qemu ends."""
    node = vm_lab["nodes"][0]
    if power(vm_lab).endswith("on"):
        power_off(vm_lab)
    kernel, initramfs = built_ramdisk.kernel, built_ramdisk.initramfs
    url = http_url(vm_lab)
    script = (f"kernel {url}/{kernel.name} console=ttyS0,115200 "
              f"ipa-api-url={vm_lab['ironic_url']} BOOTIF={node['mac']}\n"
              f"initrd {url}/{initramfs.name}\nboot\n")
    before = console(node).count("running the agent: -m ramdisk.cmd deploy")
    with ipxe_script(vm_lab, script, (kernel, initramfs)):
        ipmi(vm_lab, "chassis", "bootdev", "disk", "options=persistent")
        ipmi(vm_lab, "chassis", "bootdev", "pxe")
        ipmi(vm_lab, "power", "on")
        wait_console(node, "running the agent: -m ramdisk.cmd deploy", before + 1, timeout=300)
        ipmi(vm_lab, "power", "soft")
        wait_for(lambda: power(vm_lab).endswith("off"), 60, 0.5, what="ACPI soft off")
        assert qemu_pid(vm_lab) is None
        assert "ACPI power button pressed; powering off" in console(node)


def script_fetches(lab: dict) -> int:
    """GETs of ``boot.ipxe`` in the lab's HTTP log: PXE boots that reached iPXE's script."""
    log = Path(lab["http"]["workdir"]) / "http.log"
    return log.read_text(errors="replace").count('"GET /boot.ipxe ') if log.exists() else 0


def test_guest_reboot_boots_the_persistent_device(vm_lab):
    """iPXE's ``reboot`` is a reboot by the guest, which the BMC does not see: qemu's
    boot order must then be the persistent device's, as a server's firmware has used
    up a one-time device."""
    node = vm_lab["nodes"][0]
    if power(vm_lab).endswith("on"):
        power_off(vm_lab)
    with ipxe_script(vm_lab, "reboot\n"):
        # one-time PXE, persistent disk: PXE once, the guest reboots, the disk boots
        ipmi(vm_lab, "chassis", "bootdev", "disk", "options=persistent")
        ipmi(vm_lab, "chassis", "bootdev", "pxe")
        fetches, markers = script_fetches(vm_lab), console(node).count(MARKER)
        ipmi(vm_lab, "power", "on")
        pid = qemu_pid(vm_lab)
        wait_for(lambda: console(node).count(MARKER) > markers
                 or script_fetches(vm_lab) > fetches + 1, 180, 0.5,
                 what="the marker (disk) or a second PXE boot")
        assert script_fetches(vm_lab) == fetches + 1, "the guest's reboot PXE-booted again"
        wait_console(node, MARKER, markers + 1)
        assert qemu_pid(vm_lab) == pid  # one qemu: the guest rebooted itself

        # persistent PXE holds over the guest's reboots; made persistent disk while
        # the VM runs, the next reboot boots the disk
        power_off(vm_lab)
        ipmi(vm_lab, "chassis", "bootdev", "pxe", "options=persistent")
        fetches, markers = script_fetches(vm_lab), console(node).count(MARKER)
        ipmi(vm_lab, "power", "on")
        pid = qemu_pid(vm_lab)
        wait_for(lambda: script_fetches(vm_lab) >= fetches + 2, 180, 0.5,
                 what="two PXE boots in one power-on")
        ipmi(vm_lab, "chassis", "bootdev", "disk", "options=persistent")
        wait_console(node, MARKER, markers + 1, timeout=180)
        assert qemu_pid(vm_lab) == pid
        assert console(node).count(MARKER) == markers + 1
