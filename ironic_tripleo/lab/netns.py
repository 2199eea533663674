"""Network namespaces, a bridge and veth pairs: plain functions around ``ip``.

A virtual node is a namespace whose ``eth0`` is one end of a veth pair; the other
end sits in the host namespace, enslaved to the lab's bridge. Every delete function
is idempotent: deleting what is not there is not an error.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import subprocess

from ironic_tripleo.lab.exception import NetworkError

LOG = logging.getLogger(__name__)

IFNAMSIZ = 15  # Linux interface names: at most 15 characters


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``ip ARGS``; raise NetworkError naming the command when it fails."""
    proc = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if check and proc.returncode != 0:
        raise NetworkError(args=" ".join(args), error=proc.stderr.strip())
    return proc


def check_ifname(name: str) -> str:
    """Return ``name`` if it is a valid interface name, else raise NetworkError."""
    if not name or len(name) > IFNAMSIZ or "/" in name or " " in name:
        raise NetworkError(args=f"link add {name}",
                           error=f"interface name {name!r} must be 1-{IFNAMSIZ} characters")
    return name


def list_namespaces() -> list[str]:
    """Return the names of the existing network namespaces."""
    out = ip("-j", "netns", "list").stdout.strip()
    return [entry["name"] for entry in json.loads(out)] if out else []


def namespace_exists(name: str) -> bool:
    return name in list_namespaces()


def add_namespace(name: str) -> None:
    """Create namespace ``name`` with its loopback up."""
    ip("netns", "add", name)
    ip("-n", name, "link", "set", "lo", "up")


def delete_namespace(name: str) -> None:
    """Delete namespace ``name`` (and the veth ends inside it). Idempotent."""
    proc = ip("netns", "delete", name, check=False)
    if proc.returncode != 0 and "No such file" not in proc.stderr:
        raise NetworkError(args=f"netns delete {name}", error=proc.stderr.strip())


def namespace_pids(name: str) -> list[int]:
    """Return the pids of the processes running in namespace ``name``."""
    proc = ip("netns", "pids", name, check=False)
    return [int(p) for p in proc.stdout.split()] if proc.returncode == 0 else []


def link_exists(name: str, namespace: str | None = None) -> bool:
    prefix = ["-n", namespace] if namespace else []
    return ip(*prefix, "link", "show", "dev", name, check=False).returncode == 0


def link_info(name: str, namespace: str | None = None) -> dict:
    """Return ``ip -j link show`` for one link (keys ``address``, ``operstate``...)."""
    prefix = ["-n", namespace] if namespace else []
    return json.loads(ip(*prefix, "-j", "link", "show", "dev", name).stdout)[0]


def delete_link(name: str) -> None:
    """Delete host link ``name`` (a bridge or a veth end). Idempotent."""
    proc = ip("link", "delete", "dev", name, check=False)
    # Gone already, or going: deleting a namespace removes the peer veth asynchronously,
    # so it may vanish between ip's lookup ("Cannot find device") and its delete request
    # ("RTNETLINK answers: No such device").
    if proc.returncode != 0 and not any(
            gone in proc.stderr for gone in ("Cannot find device", "No such device")):
        raise NetworkError(args=f"link delete dev {name}", error=proc.stderr.strip())


def add_bridge(name: str, address: ipaddress.IPv4Interface) -> None:
    """Create bridge ``name`` in the host namespace with ``address`` and bring it up."""
    ip("link", "add", "name", check_ifname(name), "type", "bridge")
    ip("addr", "add", str(address), "dev", name)
    ip("link", "set", "dev", name, "up")


def add_node_link(bridge: str, host_if: str, namespace: str, mac: str,
                  node_if: str = "eth0") -> None:
    """Plug namespace ``namespace`` into ``bridge`` through a veth pair.

    The namespace end is ``node_if`` with address ``mac``; the host end ``host_if``
    is enslaved to the bridge. Both ends are up.
    """
    ip("link", "add", "name", check_ifname(host_if), "type", "veth",
       "peer", "name", node_if, "netns", namespace)
    ip("-n", namespace, "link", "set", "dev", node_if, "address", mac)
    ip("link", "set", "dev", host_if, "master", bridge)
    ip("link", "set", "dev", host_if, "up")
    ip("-n", namespace, "link", "set", "dev", node_if, "up")


def add_tap(bridge: str, tap: str) -> None:
    """Create tap device ``tap`` (for a qemu VM), enslave it to ``bridge``, bring it up."""
    ip("tuntap", "add", "dev", check_ifname(tap), "mode", "tap")
    ip("link", "set", "dev", tap, "master", bridge)
    ip("link", "set", "dev", tap, "up")


def add_bridge_ipv6(name: str, prefix: str) -> None:
    """Give bridge ``name`` the address ``PREFIX1/64`` (no duplicate detection)."""
    ip("-6", "addr", "add", f"{prefix}1/64", "dev", name, "nodad")


def host_networks() -> list[tuple[str, ipaddress.IPv4Interface]]:
    """Return (interface, address) for every IPv4 address in the host namespace."""
    found = []
    for link in json.loads(ip("-j", "-4", "addr", "show").stdout or "[]"):
        for addr in link.get("addr_info", []):
            found.append((link["ifname"],
                          ipaddress.IPv4Interface(f"{addr['local']}/{addr['prefixlen']}")))
    return found
