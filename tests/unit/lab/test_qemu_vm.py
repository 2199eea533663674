"""qemu's command line for a VM node, the memory floor and the KVM probe."""

from __future__ import annotations

import pytest

from ironic_tripleo.lab import qemu_vm
from ironic_tripleo.lab.qemu_vm import VmDisk, VmSpec, VmSpecError, qemu_argv


def spec(**kw) -> VmSpec:
    values = dict(name="vm0", cpus=2, memory_mb=1024, mac="52:54:00:01:02:03",
                  tap="itt-abcdef-0", smbios_serial="SER0",
                  disks=(VmDisk("/lab/nodes/vm0/disk.img", "D0SERIAL"),
                         VmDisk("/lab/nodes/vm0/disk1.img", "D1SERIAL")))
    return VmSpec(**(values | kw))


def option(argv: list[str], flag: str) -> list[str]:
    return [argv[i + 1] for i, arg in enumerate(argv) if arg == flag]


def test_hardware_of_the_spec():
    argv = qemu_argv(spec(), "disk")
    assert argv[0] == "qemu-system-x86_64"
    assert option(argv, "-smp") == ["2"] and option(argv, "-m") == ["1024"]
    assert option(argv, "-smbios") == [
        "type=1,manufacturer=ironic-tripleo,product=lab-vm,serial=SER0"]
    assert option(argv, "-netdev") == ["tap,id=net0,ifname=itt-abcdef-0,script=no,downscript=no"]
    assert option(argv, "-drive") == [
        "file=/lab/nodes/vm0/disk.img,format=raw,if=none,id=disk0",
        "file=/lab/nodes/vm0/disk1.img,format=raw,if=none,id=disk1"]
    assert option(argv, "-qmp") == ["unix:qmp.sock,server=on,wait=off"]
    assert option(argv, "-chardev") == ["file,id=console,path=console.log,append=on"]
    assert option(argv, "-serial") == ["chardev:console"]
    assert "-nodefaults" in argv


def test_boot_from_disk_gives_the_first_disk_alone():
    devices = option(qemu_argv(spec(), "disk"), "-device")
    assert devices == ["virtio-net-pci,id=nic0,netdev=net0,mac=52:54:00:01:02:03",
                       "virtio-blk-pci,drive=disk0,serial=D0SERIAL,id=bootdisk,bootindex=1",
                       "virtio-blk-pci,drive=disk1,serial=D1SERIAL"]


def test_boot_from_pxe_puts_the_nic_rom_first_then_the_disk():
    devices = option(qemu_argv(spec(nic_model="e1000"), "pxe"), "-device")
    assert devices[0] == "e1000,id=nic0,netdev=net0,mac=52:54:00:01:02:03,bootindex=1"
    assert devices[1] == "virtio-blk-pci,drive=disk0,serial=D0SERIAL,id=bootdisk,bootindex=2"


@pytest.mark.parametrize("device, indexes", [
    ("pxe", (1, 2)), ("disk", (-1, 1)), ("cdrom", (-1, 1)), ("bios", (-1, 1))])
def test_boot_indexes_match_the_command_line(device, indexes):
    assert qemu_vm.boot_indexes(device) == indexes


def test_accelerators():
    tcg = qemu_argv(spec(accel="tcg"), "disk")
    assert option(tcg, "-accel") == ["tcg,tb-size=64"] and "-cpu" not in tcg
    kvm = qemu_argv(spec(accel="kvm"), "disk")
    assert option(kvm, "-accel") == ["kvm"] and option(kvm, "-cpu") == ["host"]


@pytest.mark.parametrize("memory", [511, 384, 0, "512", True])
def test_memory_under_the_floor_is_refused(memory):
    with pytest.raises(VmSpecError) as exc:
        qemu_argv(spec(memory_mb=memory), "pxe")
    assert "vm0" in str(exc.value) and "at least 512" in str(exc.value)
    assert "memory_mb=512 or more" in str(exc.value)


@pytest.mark.parametrize("field, value", [
    ("nic_model", "rtl8139"), ("accel", "auto"), ("cpus", 0), ("disks", ()),
    ("disks", (VmDisk("/d", "X" * 21),)), ("disks", (VmDisk("/d", "a,b"),)),
    ("smbios_serial", "a,drive=x"),
])
def test_invalid_spec_names_the_field(field, value):
    with pytest.raises(VmSpecError) as exc:
        qemu_argv(spec(**{field: value}), "disk")
    assert "vm0" in str(exc.value)


def test_qemu_missing_says_what_to_install(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(qemu_vm.QemuMissingError) as exc:
        qemu_vm.find_qemu()
    assert "qemu-system-x86" in str(exc.value)
    assert "install-system-packages.sh" in str(exc.value)


def test_probe_refuses_a_cpu_without_hardware_virtualisation(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu vme sse2 hypervisor\n")
    reason = qemu_vm.probe_kvm(device=str(tmp_path / "kvm"), cpuinfo=str(cpuinfo))
    assert reason and "vmx/svm" in reason


def test_probe_refuses_a_missing_device(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("flags\t\t: fpu vmx sse2\n")
    reason = qemu_vm.probe_kvm(device=str(tmp_path / "kvm"), cpuinfo=str(cpuinfo))
    assert reason and "cannot open" in reason


def test_choose_accel(monkeypatch):
    monkeypatch.setattr(qemu_vm, "probe_kvm", lambda: "no vmx")
    assert qemu_vm.choose_accel("auto") == ("tcg", "KVM unusable: no vmx")
    assert qemu_vm.choose_accel("tcg")[0] == "tcg"
    with pytest.raises(qemu_vm.KvmUnavailableError, match="no vmx"):
        qemu_vm.choose_accel("kvm")
    monkeypatch.setattr(qemu_vm, "probe_kvm", lambda: None)
    assert qemu_vm.choose_accel("auto")[0] == "kvm"
    with pytest.raises(VmSpecError):
        qemu_vm.choose_accel("xen")
