"""A virtual node's firmware: the process that runs while the node is powered on.

Started by the lab's BMC backend inside the node's namespace::

    ip netns exec NS python -m ironic_tripleo.lab.firmware --node-dir DIR --boot-device pxe

For now it reports the device it booted from (on stdout, which is the node's
``console.log``, and in ``DIR/last_boot.json``) and idles until it is killed (power
off) or gets SIGTERM (ACPI soft-off), which it obeys after logging a shutdown.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path


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
    while not stop.wait(3600):
        pass
    _say("halted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
