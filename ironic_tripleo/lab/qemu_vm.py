"""A VM lab node's qemu command line: a pure function of its ``VmSpec``.

The VM is what a server looks like to the ramdisk: ``-smp``/``-m`` CPUs and memory,
virtio disks (the node's disk files, each with a serial), a NIC with the node's MAC on
a tap of the lab bridge, SMBIOS type 1 vendor/product/serial, the serial console
appended to ``console.log`` and a QMP socket for ACPI power-down and reset.

The boot device is expressed with ``bootindex`` (SeaBIOS honours it): ``pxe`` puts the
NIC's iPXE ROM first and the first disk second (a machine whose PXE finds nothing
falls back to its disk, as servers do); ``disk`` gives the first disk alone. The NIC
and the first disk have ids (``NIC_ID``, ``BOOT_DISK_ID``) so that a running VM's
order can be changed with QMP ``qom-set`` of their ``bootindex``: qemu rebuilds the
firmware's boot order on every reset (the guest's own reboot included), not before.

Paths of the console and the QMP socket are relative: qemu runs with the node
directory as its working directory, so the socket path stays under ``sun_path``'s
108 bytes whatever the lab's directory is.

Accelerator: ``probe_kvm`` opens ``/dev/kvm`` and creates a VM through its ioctls, and
requires the CPU's ``vmx``/``svm`` flag: a paravirtual ``/dev/kvm`` (``kvm_pvm`` on a
machine that is itself a VM) creates VMs but hangs a stock Debian kernel early in
boot, so it does not count. Without KVM the VM runs under TCG with a 64 MiB
translation cache (``tb-size=64``: qemu's default costs ~400 MB more RSS per VM).
"""

from __future__ import annotations

import dataclasses
import fcntl
import os
import shutil
from pathlib import Path

from ironic_tripleo.lab.exception import KvmUnavailableError, QemuMissingError, VmSpecError

MIN_MEMORY_MB = 512
NIC_MODELS = {"virtio": "virtio-net-pci", "e1000": "e1000"}
ACCELS = ("auto", "kvm", "tcg")
QEMU_BINARY = "qemu-system-x86_64"
TCG_TB_SIZE_MB = 64
SERIAL_MAX = 20  # virtio-blk serials are at most 20 bytes
NIC_ID = "nic0"
BOOT_DISK_ID = "bootdisk"
NO_BOOTINDEX = -1  # qemu's value for "not bootable"

_KVM_GET_API_VERSION = 0xAE00
_KVM_CREATE_VM = 0xAE01
_KVM_API_VERSION = 12


@dataclasses.dataclass(frozen=True)
class VmDisk:
    """One virtio disk: a raw file and the serial the guest sees."""

    path: str
    serial: str


@dataclasses.dataclass(frozen=True)
class VmSpec:
    """Everything qemu needs for one node (see ``qemu_argv``)."""

    name: str
    cpus: int
    memory_mb: int
    mac: str
    tap: str
    disks: tuple[VmDisk, ...]
    nic_model: str = "virtio"
    smbios_manufacturer: str = "ironic-tripleo"
    smbios_product: str = "lab-vm"
    smbios_serial: str = ""
    accel: str = "tcg"
    console_log: str = "console.log"
    qmp_socket: str = "qmp.sock"

    def validate(self) -> None:
        """:raises VmSpecError: naming the node, the field and what is allowed."""
        check_memory(self.name, self.memory_mb)
        if self.cpus < 1:
            raise VmSpecError(node=self.name, field="cpus", value=self.cpus,
                              allowed="at least 1")
        if self.nic_model not in NIC_MODELS:
            raise VmSpecError(node=self.name, field="nic_model", value=self.nic_model,
                              allowed=f"one of {', '.join(NIC_MODELS)}")
        if self.accel not in ("kvm", "tcg"):
            raise VmSpecError(node=self.name, field="accel", value=self.accel,
                              allowed="kvm or tcg (resolve 'auto' with choose_accel)")
        if not self.disks:
            raise VmSpecError(node=self.name, field="disks", value=[],
                              allowed="at least one disk")
        for disk in self.disks:
            if not disk.serial or len(disk.serial) > SERIAL_MAX or "," in disk.serial:
                raise VmSpecError(node=self.name, field="disk serial", value=disk.serial,
                                  allowed=f"1-{SERIAL_MAX} characters without commas")
        for field in ("smbios_manufacturer", "smbios_product", "smbios_serial", "name"):
            if "," in getattr(self, field):
                raise VmSpecError(node=self.name, field=field, value=getattr(self, field),
                                  allowed="text without commas (qemu's option separator)")


def check_memory(node: str, memory_mb: int) -> None:
    """Refuse a VM smaller than ``MIN_MEMORY_MB``.

    :raises VmSpecError: below the floor: the ramdisk panics at 384 MiB, or worse,
        fails to unpack and posts partial facts.
    """
    if isinstance(memory_mb, bool) or not isinstance(memory_mb, int) or memory_mb < MIN_MEMORY_MB:
        raise VmSpecError(
            node=node, field="memory_mb", value=memory_mb,
            allowed=f"at least {MIN_MEMORY_MB} for a VM node (the ramdisk unpacks into "
                    f"RAM: below {MIN_MEMORY_MB} MiB it panics or posts partial facts); "
                    f"give memory_mb={MIN_MEMORY_MB} or more")


def boot_indexes(boot_device: str) -> tuple[int, int]:
    """Return the (NIC, first disk) ``bootindex`` for ``boot_device``.

    ``pxe``: the NIC's ROM first, then the first disk; anything else (``disk``,
    ``cdrom``, ``bios``): the first disk alone (``NO_BOOTINDEX`` for the NIC).
    """
    return (1, 2) if boot_device == "pxe" else (NO_BOOTINDEX, 1)


def qemu_argv(spec: VmSpec, boot_device: str, qemu: str = QEMU_BINARY) -> list[str]:
    """Return qemu's command line for ``spec`` booting from ``boot_device``.

    :param boot_device: ``pxe`` or ``disk`` (``cdrom`` and ``bios`` boot the disk:
        the VM has neither a CD drive nor a setup menu).
    :raises VmSpecError: when ``spec`` is invalid.
    """
    spec.validate()
    nic_boot, disk_boot = boot_indexes(boot_device)
    if spec.accel == "kvm":
        accel = ["-accel", "kvm", "-cpu", "host"]
    else:
        accel = ["-accel", f"tcg,tb-size={TCG_TB_SIZE_MB}"]
    smbios = (f"type=1,manufacturer={spec.smbios_manufacturer},"
              f"product={spec.smbios_product},serial={spec.smbios_serial or spec.name}")
    nic = f"{NIC_MODELS[spec.nic_model]},id={NIC_ID},netdev=net0,mac={spec.mac}"
    if nic_boot != NO_BOOTINDEX:
        nic += f",bootindex={nic_boot}"
    argv = [
        qemu, "-name", f"{spec.name},debug-threads=off", "-machine", "pc",
        *accel, "-smp", str(spec.cpus), "-m", str(spec.memory_mb),
        "-nodefaults", "-no-user-config", "-display", "none",
        "-smbios", smbios,
        "-chardev", f"file,id=console,path={spec.console_log},append=on",
        "-serial", "chardev:console",
        "-qmp", f"unix:{spec.qmp_socket},server=on,wait=off",
        # A boot that finds nothing retries after 5 s, as a server's firmware does.
        "-boot", "reboot-timeout=5000",
        "-netdev", f"tap,id=net0,ifname={spec.tap},script=no,downscript=no",
        "-device", nic,
    ]
    for index, disk in enumerate(spec.disks):
        device = f"virtio-blk-pci,drive=disk{index},serial={disk.serial}"
        if index == 0:
            device += f",id={BOOT_DISK_ID},bootindex={disk_boot}"
        argv += ["-drive", f"file={disk.path},format=raw,if=none,id=disk{index}",
                 "-device", device]
    return argv


def find_qemu(binary: str = QEMU_BINARY) -> str:
    """Return the path of qemu.

    :raises QemuMissingError: saying what to install.
    """
    path = shutil.which(binary)
    if path is None:
        raise QemuMissingError(binary=binary)
    return path


def probe_kvm(device: str = "/dev/kvm", cpuinfo: str = "/proc/cpuinfo") -> str | None:
    """Return None when KVM can run a stock kernel here, else the reason it cannot."""
    try:
        flags = {flag for line in Path(cpuinfo).read_text().splitlines()
                 if line.startswith("flags") for flag in line.split(":", 1)[1].split()}
    except OSError as exc:
        return f"cannot read {cpuinfo}: {exc}"
    if not flags & {"vmx", "svm"}:
        return ("the CPU has no vmx/svm flag (a paravirtual /dev/kvm such as kvm_pvm hangs "
                "a stock kernel)")
    try:
        fd = os.open(device, os.O_RDWR | os.O_CLOEXEC)
    except OSError as exc:
        return f"cannot open {device}: {exc.strerror}"
    try:
        version = fcntl.ioctl(fd, _KVM_GET_API_VERSION)
        if version != _KVM_API_VERSION:
            return f"{device} speaks KVM API {version}, not {_KVM_API_VERSION}"
        os.close(fcntl.ioctl(fd, _KVM_CREATE_VM, 0))
    except OSError as exc:
        return f"{device} refused to create a VM: {exc.strerror}"
    finally:
        os.close(fd)
    return None


def choose_accel(requested: str = "auto") -> tuple[str, str]:
    """Return (``kvm`` or ``tcg``, why) for ``requested`` (``auto``, ``kvm``, ``tcg``).

    :raises KvmUnavailableError: when ``kvm`` is requested and the probe fails.
    :raises VmSpecError: for another value.
    """
    if requested not in ACCELS:
        raise VmSpecError(node="-", field="accel", value=requested,
                          allowed=f"one of {', '.join(ACCELS)}")
    if requested == "tcg":
        return "tcg", "requested"
    reason = probe_kvm()
    if reason is None:
        return "kvm", "/dev/kvm works and the CPU has hardware virtualisation"
    if requested == "kvm":
        raise KvmUnavailableError(reason=reason)
    return "tcg", f"KVM unusable: {reason}"
