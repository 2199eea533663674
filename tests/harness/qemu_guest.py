"""Run the built ramdisk in qemu with ``-kernel/-initrd`` (the fast path, no PXE).

TCG by default (KVM does not boot Debian kernels on this machine kind, see
``../shared/recipes/real-vms.md``); 512 MiB is the floor for the ramdisk.
"""

import subprocess
from pathlib import Path


def direct_boot_argv(kernel: Path, initramfs: Path, append: str, *, mac: str,
                     disk: Path, disk_serial: str, smbios_serial: str, cpus: int = 2,
                     memory_mb: int = 512) -> list[str]:
    """qemu argv booting ``kernel``+``initramfs`` with a user-mode NIC and a virtio disk."""
    return ["qemu-system-x86_64", "-accel", "tcg,tb-size=64", "-m", str(memory_mb),
            "-smp", str(cpus), "-nographic", "-no-reboot", "-nodefaults", "-serial",
            "stdio", "-kernel", str(kernel), "-initrd", str(initramfs), "-append", append,
            "-netdev", "user,id=n0", "-device", f"virtio-net-pci,netdev=n0,mac={mac}",
            "-drive", f"file={disk},if=none,id=d0,format=raw",
            "-device", f"virtio-blk-pci,drive=d0,serial={disk_serial}",
            "-smbios", f"type=1,manufacturer=ironic-tripleo,product=test-vm,"
                       f"serial={smbios_serial}"]


def run_until_poweroff(argv: list[str], console: Path, timeout: float) -> int:
    """Run qemu until the guest powers off (qemu exits); kill it at ``timeout``."""
    with open(console, "wb") as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
            raise
