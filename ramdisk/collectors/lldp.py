"""LLDP frames heard on each NIC, in ironic-python-agent's ``lldp`` format.

With ``ipa-collect-lldp=1`` on the kernel command line the agent opens a raw
``AF_PACKET`` socket for ethertype 0x88cc on every interface that is up, joins the
LLDP multicast group (01:80:c2:00:00:0e) on it, and waits until each has heard one
LLDPDU or ``ipa-lldp-timeout`` seconds have passed. Each interface's ``lldp`` is then
the list of ``[tlv_type, value_as_hex]`` pairs of the first LLDPDU it heard (the End
TLV left out), or None.

Why raw sockets and not ``lldpd``: the ramdisk then needs no daemon and no extra
package, and switches send an LLDPDU every 30 s by default anyway, so listening
once per boot is enough.
"""

from __future__ import annotations

import logging
import select
import socket
import struct
import time
from collections.abc import Callable, Iterable

LOG = logging.getLogger(__name__)

ETH_P_LLDP = 0x88CC
ETH_P_8021Q = 0x8100
LLDP_MULTICAST = bytes.fromhex("0180c200000e")
SOL_PACKET = 263  # <linux/socket.h>
PACKET_ADD_MEMBERSHIP = 1  # <linux/if_packet.h>
PACKET_MR_MULTICAST = 0
END_TLV = 0


def parse_frame(frame: bytes) -> list[list[int | str]] | None:
    """The TLVs of an Ethernet frame carrying an LLDPDU, or None for another frame.

    A truncated TLV ends the list (what came before is kept).
    """
    if len(frame) < 14:
        return None
    offset, ethertype = 14, int.from_bytes(frame[12:14], "big")
    if ethertype == ETH_P_8021Q and len(frame) >= 18:
        offset, ethertype = 18, int.from_bytes(frame[16:18], "big")
    if ethertype != ETH_P_LLDP:
        return None
    tlvs: list[list[int | str]] = []
    while offset + 2 <= len(frame):
        header = int.from_bytes(frame[offset:offset + 2], "big")
        tlv_type, length = header >> 9, header & 0x1FF
        value = frame[offset + 2:offset + 2 + length]
        if tlv_type == END_TLV or len(value) < length:
            break
        tlvs.append([tlv_type, value.hex()])
        offset += 2 + length
    return tlvs or None


def open_socket(name: str) -> socket.socket:
    """A non-blocking raw socket receiving LLDP frames on interface ``name``.

    :raises OSError: no such interface, or no CAP_NET_RAW.
    """
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_LLDP))
    try:
        sock.bind((name, ETH_P_LLDP))
        mreq = struct.pack("iHH8s", socket.if_nametoindex(name), PACKET_MR_MULTICAST,
                           len(LLDP_MULTICAST), LLDP_MULTICAST)
        sock.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def listen(names: Iterable[str], timeout: float,
           clock: Callable[[], float] = time.monotonic) -> dict[str, list[list[int | str]]]:
    """Wait up to ``timeout`` seconds for one LLDPDU on each interface.

    Interfaces whose socket cannot be opened are logged and left out.

    :returns: ``{interface: tlvs}`` for the interfaces that heard one.
    """
    names = list(names)
    sockets: dict[socket.socket, str] = {}
    for name in names:
        try:
            sockets[open_socket(name)] = name
        except OSError as exc:
            LOG.warning("LLDP: cannot listen on %s: %s", name, exc)
    heard: dict[str, list[list[int | str]]] = {}
    deadline = clock() + timeout
    try:
        # One select() over all sockets, bounded by the deadline (not a retry loop).
        while sockets and (remaining := deadline - clock()) > 0:
            ready, _, _ = select.select(list(sockets), [], [], remaining)
            for sock in ready:
                try:
                    frame = sock.recv(9216)
                except BlockingIOError:
                    continue
                tlvs = parse_frame(frame)
                if tlvs is None:
                    continue
                name = sockets.pop(sock)
                sock.close()
                heard[name] = tlvs
                LOG.info("LLDP: heard %d TLV(s) on %s", len(tlvs), name)
    finally:
        for sock in sockets:
            sock.close()
    missing = [name for name in names if name not in heard]
    if missing:
        LOG.info("LLDP: nothing heard on %s within %s s", ", ".join(missing), timeout)
    return heard
