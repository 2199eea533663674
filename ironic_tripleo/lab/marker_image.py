"""A tiny bootable whole-disk image that prints a marker on the serial console.

What the lab deploys to a VM node to prove that the deployed disk boots: an MBR
disk (syslinux's ``mbr.bin``), one FAT partition marked active holding syslinux, a
kernel and a busybox initramfs whose ``/init`` prints the marker line on ttyS0. The
image then stays up like an installed system; it loads the ACPI button driver and
runs busybox ``acpid``, so an ACPI power-down (IPMI soft off) shuts it down cleanly.

Built without root or loop devices: ``mkfs.vfat -C``, mtools' ``mcopy``,
``syslinux --install`` on the partition file, ``parted`` for the table.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ironic_tripleo.lab.exception import MarkerImageError

MBR = Path("/usr/lib/syslinux/mbr/mbr.bin")
MiB = 1024 * 1024

INIT = """#!/bin/sh
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
for module in /modules/*.ko; do insmod "$module"; done
mkdir -p /etc/acpi/PWRF
printf '#!/bin/sh\\necho "marker image: ACPI power button, powering off"\\npoweroff -f\\n' \\
    > /etc/acpi/PWRF/00000080
chmod +x /etc/acpi/PWRF/00000080
# -d: in the foreground (daemonized it leaves /etc/acpi and finds no action), logging
# to the console.
acpid -d -c /etc/acpi &
# The marker says "up and listening for the power button": wait until acpid has
# opened the input devices (a press before that is lost).
while ! ls -l /proc/$!/fd 2>/dev/null | grep -q /dev/input/event; do sleep 1; done
echo "%(marker)s"
while true; do sleep 3600; done
"""

SYSLINUX_CFG = """SERIAL 0 115200
DEFAULT marker
PROMPT 0
TIMEOUT 0
LABEL marker
  KERNEL /vmlinuz
  APPEND initrd=/initrd.img console=ttyS0,115200 quiet panic=-1
"""


def _run(argv: list[str], step: str, **kwargs: object) -> None:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=120,
                              **kwargs)  # type: ignore[call-overload]
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MarkerImageError(step=step, reason=exc) from exc
    if proc.returncode != 0:
        raise MarkerImageError(step=step, reason=(proc.stderr or proc.stdout).strip()[-500:])


def _libraries(binary: str) -> list[Path]:
    """The shared libraries ``binary`` needs (``ldd``), the loader included."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, timeout=30).stdout
    libs = []
    for line in out.splitlines():
        path = line.split("=>")[-1].split("(")[0].strip()
        if path.startswith("/"):
            libs.append(Path(path))
    return libs


def build_initramfs(out: Path, marker: str, modules: list[Path] = ()) -> Path:  # type: ignore[assignment]
    """Write a gzip'd newc initramfs: busybox, its libraries, ``modules``, ``/init``.

    :param marker: the line ``/init`` prints (no double quotes or backslashes).
    """
    if any(c in marker for c in '"\\$`\n'):
        raise MarkerImageError(step="marker", reason=f"{marker!r}: no quotes, $, ` or \\")
    busybox = shutil.which("busybox")
    if busybox is None:
        raise MarkerImageError(step="busybox", reason="not installed "
                               "(scripts/install-system-packages.sh)")
    with tempfile.TemporaryDirectory(prefix="marker-initramfs-") as tmp:
        root = Path(tmp)
        for sub in ("bin", "dev", "proc", "sys", "etc", "modules"):
            (root / sub).mkdir()
        shutil.copy2(busybox, root / "bin" / "busybox")
        applets = subprocess.run([busybox, "--list"], capture_output=True, text=True,
                                 timeout=30).stdout.split()
        for applet in applets:
            if applet != "busybox":
                (root / "bin" / applet).symlink_to("busybox")
        for lib in _libraries(busybox):
            dest = root / str(lib).lstrip("/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(lib.resolve(), dest)
        for module in modules:
            shutil.copy2(module, root / "modules" / Path(module).name)
        init = root / "init"
        init.write_text(INIT % {"marker": marker})
        init.chmod(0o755)
        names = sorted(str(p.relative_to(root)) for p in root.rglob("*"))
        proc = subprocess.run(["cpio", "-o", "-H", "newc", "--quiet", "-R", "0:0"],
                              input="\n".join(names).encode(), cwd=root,
                              capture_output=True, timeout=60)
        if proc.returncode != 0:
            raise MarkerImageError(step="cpio", reason=proc.stderr.decode()[-500:])
        out.write_bytes(gzip.compress(proc.stdout, 6))
    return out


def build_disk_image(out: Path, kernel: Path, initramfs: Path) -> Path:
    """Write the bootable MBR whole-disk image ``out`` (raw) and return it."""
    payload = kernel.stat().st_size + initramfs.stat().st_size
    part_mb = max(16, payload // MiB + 8)
    with tempfile.TemporaryDirectory(prefix="marker-disk-") as tmp:
        part = Path(tmp) / "part.img"
        _run(["mkfs.vfat", "-n", "MARKER", "-C", str(part), str(part_mb * 1024)],
             "mkfs.vfat")
        cfg = Path(tmp) / "syslinux.cfg"
        cfg.write_text(SYSLINUX_CFG)
        env = os.environ | {"MTOOLS_SKIP_CHECK": "1"}
        for src, name in ((kernel, "vmlinuz"), (initramfs, "initrd.img"),
                          (cfg, "syslinux.cfg")):
            _run(["mcopy", "-i", str(part), str(src), f"::{name}"], f"mcopy {name}", env=env)
        _run(["syslinux", "--install", str(part)], "syslinux --install", env=env)
        with open(out, "wb") as disk:
            disk.truncate((part_mb + 1) * MiB)
        _run(["parted", "-s", str(out), "mklabel", "msdos", "mkpart", "primary", "fat32",
              "1MiB", "100%", "set", "1", "boot", "on"], "parted")
        with open(out, "r+b") as disk:
            disk.write(MBR.read_bytes()[:440])
            disk.seek(MiB)
            with open(part, "rb") as src:
                shutil.copyfileobj(src, disk, 4 * MiB)
    return out
