"""A stock Debian kernel for lab VMs' small test images, from the apt sources.

``fetch(cache_dir)`` downloads the package that ``linux-image-amd64`` depends on
(``apt-get download``, no installation) and unpacks its ``/boot`` and the few modules
the marker image loads. The result is cached under ``cache_dir`` by package name, so
a test session downloads it once. The deploy ramdisk has its own build
(``ironic-tripleo ramdisk build``); this is for images the lab boots *instead* of an
operating system: the deployed whole-disk image that prints a marker.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import tempfile
from pathlib import Path

from ironic_tripleo.lab.exception import KernelFetchError

META_PACKAGE = "linux-image-amd64"
# What the marker image loads: the ACPI power button and its /dev/input/event
# device, so busybox acpid sees an ACPI power-down (IPMI soft off).
MODULES = ("kernel/drivers/acpi/button.ko", "kernel/drivers/input/evdev.ko")


@dataclasses.dataclass(frozen=True)
class Kernel:
    """An unpacked kernel package: its ``vmlinuz`` and its modules directory."""

    version: str
    vmlinuz: Path
    modules: Path


def _run(argv: list[str], step: str, cwd: Path | None = None) -> str:
    try:
        proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise KernelFetchError(step=step, reason=exc) from exc
    if proc.returncode != 0:
        raise KernelFetchError(step=step, reason=(proc.stderr or proc.stdout).strip()[-500:])
    return proc.stdout


def package_name() -> str:
    """Return the kernel package ``linux-image-amd64`` depends on (apt's cache)."""
    out = _run(["apt-cache", "depends", META_PACKAGE], f"apt-cache depends {META_PACKAGE}")
    for line in out.splitlines():
        key, _, value = line.strip().partition(": ")
        if key == "Depends" and value.startswith("linux-image-"):
            return value.strip()
    raise KernelFetchError(step=f"apt-cache depends {META_PACKAGE}",
                           reason=f"no linux-image-* dependency in: {out.strip()[:300]}")


def fetch(cache_dir: Path) -> Kernel:
    """Return the kernel, downloading and unpacking it into ``cache_dir`` if needed.

    :raises KernelFetchError: naming the step that failed (apt, dpkg-deb).
    """
    package = package_name()
    version = package.removeprefix("linux-image-")
    target = Path(cache_dir) / package
    kernel = Kernel(version, target / "boot" / f"vmlinuz-{version}",
                    target / "lib" / "modules" / version)
    if kernel.vmlinuz.exists() and all((kernel.modules / m).exists() for m in MODULES):
        return kernel
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".fetch-") as tmp:
        _run(["apt-get", "download", "-q", package], f"apt-get download {package}",
             cwd=Path(tmp))
        deb = next(Path(tmp).glob("*.deb"))
        unpacked = Path(tmp) / "root"
        wanted = [f"./boot/vmlinuz-{version}"] + [f"./lib/modules/{version}/{m}"
                                                  for m in MODULES]
        unpacked.mkdir()
        tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)],
                               stdout=subprocess.PIPE)
        _run_with_stdin(tar, ["tar", "-x", "-C", str(unpacked), *wanted],
                        f"unpack {deb.name}")
        shutil.rmtree(target, ignore_errors=True)
        unpacked.rename(target)
    return kernel


def _run_with_stdin(producer: subprocess.Popen, argv: list[str], step: str) -> None:
    try:
        proc = subprocess.run(argv, stdin=producer.stdout, capture_output=True, text=True,
                              timeout=300)
    finally:
        if producer.stdout:
            producer.stdout.close()
        producer.wait(timeout=60)
    if proc.returncode != 0 or producer.returncode != 0:
        raise KernelFetchError(step=step, reason=proc.stderr.strip()[-500:]
                               or f"dpkg-deb exited {producer.returncode}")
