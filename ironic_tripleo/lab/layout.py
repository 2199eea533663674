"""What a lab is made of, as data: names, MACs, subnets and the files it writes.

No I/O here except reading the lab file. Names derive from a short random lab id so
that several labs coexist on one machine; interface names stay within 15 characters.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from pathlib import Path

import yaml

from ironic_tripleo.lab.exception import LabConfigError, SubnetInUseError
from ironic_tripleo.lab.node import NodeSpec

ALLOWED_NETWORKS = (ipaddress.IPv4Network("198.51.100.0/24"),
                    ipaddress.IPv4Network("203.0.113.0/24"))
DEFAULT_SUBNET = "198.51.100.0/24"
AUTO_PREFIXLEN = 27
#: What the DHCP range of a /24 leases (``nodes_that_fit``); names and MACs allow 254.
MAX_NODES = 111
# DHCP leases one node may hold at once: its NIC ROM and its ramdisk's own DHCP client
# may ask with different client ids (dnsmasq then gives two addresses for 10 minutes).
LEASES_PER_NODE = 2


@dataclasses.dataclass
class NodeNames:
    """The names of one node's pieces."""

    name: str
    namespace: str
    veth: str
    mac: str


def bridge_name(lab_id: str) -> str:
    return f"itbr-{lab_id}"


def tap_name(lab_id: str, index: int) -> str:
    """The tap device of VM node ``index`` (0-based) of lab ``lab_id``."""
    return f"itt-{lab_id}-{index}"


def ipv6_prefix(lab_id: str) -> str:
    """A unique-local /64 for the bridge of lab ``lab_id``: dnsmasq announces it in
    router advertisements, so a VM's iPXE does not wait ~13 s for IPv6 autoconf.

    In canonical form (``fd61:aa7::`` for lab ``610aa7``), as ``ip`` prints it.
    """
    return str(ipaddress.IPv6Network(f"fd{lab_id[0:2]}:{lab_id[2:6]}::/64").network_address)


def node_names(lab_id: str, index: int, name: str | None = None) -> NodeNames:
    """Return the names for node ``index`` (0-based) of lab ``lab_id`` (6 hex digits)."""
    if not 0 <= index < MAX_NODES:
        raise LabConfigError(field="nodes", value=index + 1,
                             allowed=f"a lab has 1-{MAX_NODES} nodes")
    octets = (int(lab_id[0:2], 16), int(lab_id[2:4], 16), index + 1)
    return NodeNames(
        name=name or f"node-{index}",
        namespace=f"itl-{lab_id}-n{index}",
        veth=f"itv-{lab_id}-{index}",
        mac="52:54:00:" + ":".join(f"{o:02x}" for o in octets),
    )


def parse_subnet(text: str) -> ipaddress.IPv4Network:
    """Return the subnet ``text`` if it lies in 198.51.100.0/24 or 203.0.113.0/24.

    :raises LabConfigError: otherwise (192.0.2.0/24 is this machine's uplink).
    """
    try:
        net = ipaddress.IPv4Network(text, strict=True)
    except ValueError as exc:
        raise LabConfigError(field="subnet", value=text, allowed=str(exc)) from None
    if not any(net.subnet_of(allowed) for allowed in ALLOWED_NETWORKS) or net.prefixlen > 28:
        raise LabConfigError(field="subnet", value=text,
                             allowed="a /24 to /28 inside 198.51.100.0/24 or 203.0.113.0/24")
    return net


def dhcp_range(net: ipaddress.IPv4Network) -> tuple[ipaddress.IPv4Address,
                                                      ipaddress.IPv4Address]:
    """The first and last address dnsmasq gives out in ``net``.

    The host (Ironic, discoverd, dnsmasq) has the first address; an eighth of the
    subnet is kept out of the range for addresses set by hand.
    """
    hosts = list(net.hosts())
    return hosts[max(1, len(hosts) // 8)], hosts[-1]


def nodes_that_fit(net: ipaddress.IPv4Network) -> int:
    """How many nodes the DHCP range of ``net`` serves (``LEASES_PER_NODE`` each)."""
    first, last = dhcp_range(net)
    return (int(last) - int(first) + 1) // LEASES_PER_NODE


def free_subnet(used: list[tuple[str, ipaddress.IPv4Interface]],
                wanted: str, nodes: int = 1) -> ipaddress.IPv4Network:
    """Return the subnet to use for ``nodes`` nodes given the host's ``used`` addresses.

    ``wanted`` is a subnet, or ``auto`` for the first free subnet of the allowed
    ranges that is large enough (a /27 first, larger ones when the nodes need it).

    :raises LabConfigError: when the DHCP range of ``wanted`` cannot serve ``nodes``.
    :raises SubnetInUseError: when a host interface already has an address in it.
    """
    if wanted == "auto":
        for prefixlen in range(AUTO_PREFIXLEN, 23, -1):
            for allowed in ALLOWED_NETWORKS:
                for candidate in allowed.subnets(new_prefix=prefixlen):
                    if nodes_that_fit(candidate) < nodes:
                        break
                    if not any(addr.network.overlaps(candidate) for _, addr in used):
                        return candidate
        raise SubnetInUseError(subnet="auto", ifname="(all)",
                               address=f"every subnet of the allowed ranges that fits "
                                       f"{nodes} nodes")
    net = parse_subnet(wanted)
    if nodes_that_fit(net) < nodes:
        first, last = dhcp_range(net)
        raise LabConfigError(
            field="subnet", value=wanted,
            allowed=f"its DHCP range {first}-{last} serves {nodes_that_fit(net)} nodes "
                    f"({LEASES_PER_NODE} leases each) and {nodes} were asked for: pass a "
                    f"larger subnet (a /24 serves "
                    f"{nodes_that_fit(ipaddress.IPv4Network('198.51.100.0/24'))}), "
                    f"--subnet auto, or fewer nodes")
    for ifname, addr in used:
        if addr.network.overlaps(net):
            raise SubnetInUseError(subnet=net, ifname=ifname, address=addr)
    return net


def network_plan(net: ipaddress.IPv4Network) -> dict:
    """Return lab.json's ``network`` part (without the bridge) for subnet ``net``."""
    first, last = dhcp_range(net)
    return {
        "subnet": str(net),
        "host_address": str(next(net.hosts())),
        "prefixlen": net.prefixlen,
        "dhcp_range": [str(first), str(last)],
    }


def load_lab_file(path: Path) -> tuple[list[NodeSpec], dict]:
    """Read a YAML lab file: ``{nodes: [{name, cpus, memory_mb, disk_gb, arch}], subnet}``.

    :returns: the node specs and the other top-level options (``subnet``).
    :raises LabConfigError: naming the node and field at fault.
    """
    data = yaml.safe_load(Path(path).read_text()) or {}
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        raise LabConfigError(field="lab file", value=str(path),
                             allowed="a mapping with a 'nodes' list")
    fields = {f.name for f in dataclasses.fields(NodeSpec)}
    specs = []
    for index, entry in enumerate(data["nodes"]):
        entry = entry or {}
        unknown = set(entry) - fields if isinstance(entry, dict) else {"(not a mapping)"}
        if unknown:
            raise LabConfigError(field=f"node {index}", value=sorted(unknown),
                                 allowed=f"keys among {', '.join(sorted(fields))}")
        spec = NodeSpec(**entry)
        spec.validate(f"{index} ({spec.name or '-'})")
        specs.append(spec)
    return specs, {k: v for k, v in data.items() if k != "nodes"}


def instackenv(nodes: list[dict], boot: dict | None = None) -> dict:
    """Return the TripleO ``instackenv.json`` document for lab.json's ``nodes``.

    ``boot`` (lab.json's ``boot``) adds the deploy kernel and ramdisk as ``file://``
    URLs (``kernel_id``/``ramdisk_id``, as in TripleO's instackenv).
    """
    images = {"kernel_id": f"file://{boot['deploy_kernel']}",
              "ramdisk_id": f"file://{boot['deploy_ramdisk']}"} if boot else {}
    return {"nodes": [images | {
        "name": node["name"],
        "pm_type": "ipmi",
        "pm_addr": node["bmc"]["address"],
        "pm_port": node["bmc"]["port"],
        "pm_user": node["bmc"]["username"],
        "pm_password": node["bmc"]["password"],
        "ports": [{"address": node["mac"]}],  # TripleO's format; "mac" is deprecated
        "cpu": str(node["cpus"]),
        "memory": str(node["memory_mb"]),
        "disk": str(node["disk_gb"]),
        "arch": node["arch"],
    } for node in nodes]}
