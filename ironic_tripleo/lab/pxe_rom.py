"""A NIC's PXE ROM and pxelinux, emulated inside a lab node's namespace.

``boot(node_dir)`` does what a real machine does on a network boot:

1. DHCP on ``eth0`` with ``busybox udhcpc`` (our own hook script, which configures
   the address and records the lease in the node directory only);
2. TFTP from the DHCP next-server: the boot file, then like pxelinux
   ``pxelinux.cfg/01-<mac-with-dashes>`` and ``pxelinux.cfg/default`` as fallback;
3. parses that PXE config (the one Ironic's ``pxe`` boot interface wrote), fetches the
   kernel and initrd it names and builds the kernel command line (``APPEND``, plus
   ``BOOTIF=01-<mac>`` for ``IPAPPEND 2``).

The caller (``firmware``) then "runs the kernel": it starts the ramdisk agent with
that command line. Parsing is a plain function (``parse_config``); I/O stays in the
small wrappers around busybox.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path

from ironic_tripleo.lab.exception import PxeBootError

HOOK = """#!/bin/sh
# Written by the lab firmware: configure $interface, record the lease; nothing else.
case "$1" in
  deconfig) ip -4 addr flush dev "$interface" ;;
  bound|renew)
    ip -4 addr flush dev "$interface"
    ip -4 addr add "$ip/${mask:-24}" dev "$interface"
    {
      echo "ip=$ip"; echo "mask=$mask"; echo "siaddr=$siaddr"; echo "serverid=$serverid"
      echo "boot_file=$boot_file"; echo "router=$router"; echo "lease=$lease"
    } > LEASE.tmp && mv LEASE.tmp LEASE
    ;;
esac
exit 0
"""


@dataclasses.dataclass
class BootEntry:
    """The label a PXE config boots: kernel, initrds and command line."""

    label: str
    kernel: str
    initrds: list[str]
    append: str
    ipappend: int = 0


def parse_config(text: str) -> BootEntry:
    """Return the ``DEFAULT`` label of a pxelinux config (keywords case-insensitive).

    :raises PxeBootError: when the default label or its kernel is missing.
    """
    default = None
    labels: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in text.splitlines():
        keyword, _, value = line.strip().partition(" ")
        keyword, value = keyword.lower(), value.strip()
        if keyword == "default":
            default = value
        elif keyword == "label":
            current = labels.setdefault(value, {})
        elif current is not None and keyword in ("kernel", "linux", "append", "ipappend",
                                                  "initrd"):
            current["kernel" if keyword == "linux" else keyword] = value
    if default is None or default not in labels or "kernel" not in labels[default]:
        raise PxeBootError(node="-", reason=f"config has no bootable DEFAULT label "
                                             f"(default {default!r}, labels {list(labels)})")
    entry = labels[default]
    words = entry.get("append", "").split()
    initrds = [entry["initrd"]] if "initrd" in entry else []
    for word in words:
        if word.startswith("initrd="):
            initrds.extend(p for p in word.split("=", 1)[1].split(",") if p)
    append = " ".join(w for w in words if not w.startswith("initrd="))
    return BootEntry(label=default, kernel=entry["kernel"], initrds=initrds, append=append,
                     ipappend=int(entry.get("ipappend", "0") or 0))


def config_names(mac: str) -> list[str]:
    """pxelinux's config file names for ``mac``, in the order it tries them (no UUID/IP)."""
    return [f"pxelinux.cfg/01-{mac.lower().replace(':', '-')}", "pxelinux.cfg/default"]


def kernel_cmdline(entry: BootEntry, mac: str) -> str:
    """The command line the kernel gets: APPEND plus ``BOOTIF`` for ``IPAPPEND 2``."""
    words = [entry.append] if entry.append else []
    if entry.ipappend & 2:
        words.append(f"BOOTIF=01-{mac.lower().replace(':', '-')}")
    return " ".join(words)


def dhcp(node_dir: Path, ifname: str, say: Callable[[str], None],
         attempts: int = 8) -> dict[str, str]:
    """Get a lease with ``busybox udhcpc``; return the lease's variables.

    :raises PxeBootError: when no DHCP server answers.
    """
    lease_file = node_dir / "dhcp.lease"
    lease_file.unlink(missing_ok=True)
    hook = node_dir / "udhcpc.hook"
    hook.write_text(HOOK.replace("LEASE", shlex.quote(str(lease_file))))
    hook.chmod(0o700)
    say(f"DHCP: DISCOVER on {ifname}")
    argv = ["busybox", "udhcpc", "-i", ifname, "-n", "-q", "-f", "-t", str(attempts),
            "-T", "2", "-s", str(hook), "-V", "PXEClient:Arch:00000:UNDI:002001"]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=attempts * 4 + 10)
    if result.returncode != 0 or not lease_file.exists():
        raise PxeBootError(node=node_dir.name, reason=f"no DHCP answer on {ifname}: "
                           f"{(result.stderr or result.stdout).strip()[-300:]}")
    lease = dict(line.split("=", 1) for line in lease_file.read_text().splitlines()
                 if "=" in line)
    say(f"DHCP: lease {lease.get('ip')}/{lease.get('mask')} from {lease.get('serverid')}, "
        f"next-server {lease.get('siaddr') or '-'}, boot file {lease.get('boot_file') or '-'}")
    return lease


def tftp_get(server: str, remote: str, local: Path, say: Callable[[str], None]) -> bool:
    """Fetch ``remote`` into ``local`` with ``busybox tftp``; False when it is not there."""
    local.parent.mkdir(parents=True, exist_ok=True)
    argv = ["busybox", "tftp", "-g", "-r", remote, "-l", str(local), server]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        local.unlink(missing_ok=True)
        say(f"TFTP: {server}:{remote}: {result.stderr.strip() or 'failed'}")
        return False
    say(f"TFTP: fetched {server}:{remote} ({os.path.getsize(local)} bytes)")
    return True


def boot(node_dir: Path, mac: str, say: Callable[[str], None],
         ifname: str = "eth0") -> str:
    """Network-boot like a PXE ROM + pxelinux; return the kernel command line.

    :raises PxeBootError: on no lease, no boot file, no config, or a missing kernel.
    """
    lease = dhcp(node_dir, ifname, say)
    server = lease.get("siaddr") or lease.get("serverid")
    bootfile = lease.get("boot_file")
    if not server or not bootfile:
        raise PxeBootError(node=node_dir.name,
                           reason=f"the DHCP offer has no next-server/boot file: {lease}")
    files = node_dir / "pxe"
    if not tftp_get(server, bootfile, files / Path(bootfile).name, say):
        raise PxeBootError(node=node_dir.name, reason=f"boot file {bootfile} not on {server}")
    for name in config_names(mac):
        local = files / name
        if tftp_get(server, name, local, say):
            entry = parse_config(local.read_text(errors="replace"))
            break
    else:
        raise PxeBootError(node=node_dir.name,
                           reason=f"no PXE config for {mac} on {server}: nothing to boot")
    say(f"pxelinux: booting label {entry.label}: kernel {entry.kernel}")
    for remote in (entry.kernel, *entry.initrds):
        if not tftp_get(server, remote, files / "images" / Path(remote).name, say):
            raise PxeBootError(node=node_dir.name, reason=f"{remote} not on {server}")
    return kernel_cmdline(entry, mac)
