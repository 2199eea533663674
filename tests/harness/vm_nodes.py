"""Session fixtures for VM lab nodes: a Debian kernel, the marker image, helpers.

``vm_kernel``: the stock Debian kernel (``ironic_tripleo.lab.debian_kernel``),
downloaded once into pytest's cache directory. ``marker_image``: the bootable
whole-disk image that prints a marker (``ironic_tripleo.lab.marker_image``), built
once per session. Import the fixtures into a test module to use them.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from ironic_tripleo.lab import debian_kernel, marker_image
from tests.harness.waiting import wait_for

MARKER = "ironic-tripleo marker image booted"


@dataclasses.dataclass(frozen=True)
class MarkerImage:
    marker: str
    kernel: Path
    initramfs: Path
    disk: Path


@pytest.fixture(scope="session")
def vm_kernel(request) -> debian_kernel.Kernel:
    return debian_kernel.fetch(Path(request.config.cache.mkdir("vm-kernel")))


@pytest.fixture(scope="session")
def marker_image_files(vm_kernel, tmp_path_factory) -> MarkerImage:
    tmp = tmp_path_factory.mktemp("marker-image")
    initramfs = marker_image.build_initramfs(
        tmp / "marker.initramfs", MARKER,
        [vm_kernel.modules / m for m in debian_kernel.MODULES])
    disk = marker_image.build_disk_image(tmp / "marker.raw", vm_kernel.vmlinuz, initramfs)
    return MarkerImage(MARKER, vm_kernel.vmlinuz, initramfs, disk)


def write_disk(image: Path, disk: str | Path) -> None:
    """Copy ``image`` over the start of a node's disk file (its size is kept)."""
    with open(image, "rb") as src, open(disk, "r+b") as dst:
        while chunk := src.read(1 << 22):
            dst.write(chunk)


def console(node: dict) -> str:
    path = Path(node["node_dir"]) / "console.log"
    return path.read_text(errors="replace") if path.exists() else ""


def dhcp_discovers(lab: dict, mac: str) -> int:
    """DHCPDISCOVERs from ``mac`` in the lab's dnsmasq log (each PXE boot sends some)."""
    log = Path(lab["dnsmasq"]["workdir"]) / "dnsmasq.log"
    text = log.read_text(errors="replace") if log.exists() else ""
    return len(re.findall(rf"DHCPDISCOVER\([^)]*\) {re.escape(mac)}", text))


def wait_console(node: dict, text: str, count: int, timeout: float = 90) -> None:
    """Wait until ``text`` appears ``count`` times in the node's console log."""
    wait_for(lambda: console(node).count(text) >= count, timeout, 0.5,
             what=f"{count}x {text!r} in {node['name']}'s console")
