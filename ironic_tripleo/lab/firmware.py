"""A virtual node's firmware: the process that runs while the node is powered on.

Started by the lab's BMC backend inside the node's namespace::

    ip netns exec NS python -m ironic_tripleo.lab.firmware --node-dir DIR --boot-device pxe

It reports the device it boots from (on stdout, which is the node's ``console.log``,
and in ``DIR/last_boot.json``). From ``pxe`` it network-boots like a PXE ROM
(``pxe_rom``: DHCP, TFTP, Ironic's PXE config) and "runs the kernel": it starts the
ramdisk agent with the config's command line, plus
``tripleo-lab-hardware=DIR/hardware.json``: the node's declared hardware, as a VM's
firmware tables describe the VM (see ``ramdisk/collectors/lab_overlay.py``). The
command line says which ramdisk Ironic booted, as the initramfs would: with
``ipa-api-url`` and no ``ipa-inspection-callback-url`` it is the deploy ramdisk
(``ironic-tripleo-ramdisk deploy``: its tgtd exports the node's disk file, named by
the overlay, on the node's DHCP address), otherwise the discovery ramdisk
(``ironic-tripleo-ramdisk discover``). The deploy agent's ``poweroff`` is an ACPI
soft-off of this firmware. From ``disk`` it says so and idles (what was deployed is
in the disk file). Either way it then idles until it is killed (power off) or gets
SIGTERM (ACPI soft-off), which it obeys after logging a shutdown.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from ironic_tripleo.lab import pxe_rom
from ramdisk import lab_seam

LAB_HARDWARE_PARAM = "tripleo-lab-hardware"


def _say(message: str) -> None:
    print(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} firmware[{os.getpid()}]: {message}",
          flush=True)


def _mac(ifname: str = "eth0") -> str:
    try:
        return Path(f"/sys/class/net/{ifname}/address").read_text().strip()
    except OSError:
        return "none"


def boot(node_dir: Path, device: str) -> None:
    """Record and announce the boot from ``device``."""
    _say(f"power on; NIC eth0 {_mac()}; booting from {device}")
    record = {"device": device, "pid": os.getpid(), "time": time.time()}
    tmp = node_dir / "last_boot.json.tmp"
    tmp.write_text(json.dumps(record) + "\n")
    os.replace(tmp, node_dir / "last_boot.json")


def hardware_overlay(node_dir: Path) -> Path:
    """Write ``hardware.json``, the node's declared hardware, from ``node.json``."""
    info = json.loads((node_dir / "node.json").read_text())
    overlay = {"cpus": info["cpus"], "memory_mb": info["memory_mb"], "arch": info["arch"],
               "disks": [{"name": "/dev/vda", "path": info["disk"],
                          "serial": "LAB" + info["mac"].replace(":", "").upper(),
                          "rotational": bool(info.get("disk_rotational", False)),
                          "model": "ironic-tripleo lab disk", "vendor": "ironic-tripleo"}]}
    path = node_dir / "hardware.json"
    path.write_text(json.dumps(overlay, indent=2) + "\n")
    return path


def network_boot(node_dir: Path) -> subprocess.Popen | None:
    """PXE-boot and start the ramdisk agent; None (after saying why) when it fails."""
    try:
        cmdline = pxe_rom.boot(node_dir, _mac(), _say)
    except (pxe_rom.PxeBootError, OSError, subprocess.SubprocessError) as exc:
        _say(f"PXE-E: {exc}; no bootable device")
        return None
    cmdline = f"{cmdline} {LAB_HARDWARE_PARAM}={hardware_overlay(node_dir)}"
    cmdline_file = node_dir / "cmdline"
    cmdline_file.write_text(cmdline + "\n")
    _say(f"kernel command line: {cmdline}")
    agent = Path(sys.executable).parent / "ironic-tripleo-ramdisk"
    mode = ramdisk_mode(cmdline)
    argv = [str(agent), mode, "--cmdline", str(cmdline_file)]
    if mode == "deploy":
        argv += ["--poweroff-command", f"kill -TERM {os.getpid()}"]
    _say(f"starting the ramdisk agent: {' '.join([agent.name, *argv[1:]])}")
    # the marker that makes the agent honour the lab-only seams (ramdisk/lab_seam.py)
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                            env={**os.environ, lab_seam.ENV: "1"})


def ramdisk_mode(cmdline: str) -> str:
    """``deploy`` for a deploy ramdisk's command line, else ``discover``."""
    keys = {word.split("=", 1)[0] for word in cmdline.split()}
    if "ipa-api-url" in keys and "ipa-inspection-callback-url" not in keys:
        return "deploy"
    return "discover"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node-dir", required=True, type=Path)
    parser.add_argument("--boot-device", default="disk")
    args = parser.parse_args(argv)

    stop = threading.Event()

    def soft_off(signum: int, frame: object) -> None:
        _say("ACPI soft-off: shutting down")
        stop.set()

    signal.signal(signal.SIGTERM, soft_off)
    boot(args.node_dir, args.boot_device)
    agent = None
    if args.boot_device == "pxe":
        agent = network_boot(args.node_dir)
    else:
        _say(f"booting from {args.boot_device}")
    while not stop.wait(0.5 if agent else 3600):
        if agent is not None and agent.poll() is not None:
            _say(f"ramdisk agent exited with {agent.returncode}")
            agent = None
    if agent is not None:
        agent.terminate()
    _say("halted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
