"""IPMI over LAN framing: RMCP, IPMI 1.5 and RMCP+ session headers, IPMI messages.

No I/O and no session state: parse functions take bytes and raise
:class:`PacketError`; build functions return bytes. Integrity and encryption are
done by the caller (``crypto.SessionKeys``) around these functions.
"""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Callable

from ironic_tripleo.vbmc.exception import PacketError

RMCP_HEADER = b"\x06\x00\xff\x07"  # version 1.0, reserved, no RMCP ACK, class IPMI
AUTH_TYPE_NONE = 0x00
AUTH_TYPE_RMCP_PLUS = 0x06
NEXT_HEADER = 0x07

# RMCP+ payload types (table 13-16).
PAYLOAD_IPMI = 0x00
PAYLOAD_OPEN_SESSION_REQUEST = 0x10
PAYLOAD_OPEN_SESSION_RESPONSE = 0x11
PAYLOAD_RAKP1 = 0x12
PAYLOAD_RAKP2 = 0x13
PAYLOAD_RAKP3 = 0x14
PAYLOAD_RAKP4 = 0x15

BMC_ADDRESS = 0x20
ASF_IANA = b"\x00\x00\x11\xbe"


@dataclasses.dataclass(frozen=True)
class V15Packet:
    """An IPMI 1.5 session packet; we only answer session-less ones."""

    auth_type: int
    sequence: int
    session_id: int
    payload: bytes


@dataclasses.dataclass(frozen=True)
class RmcpPlusPacket:
    """An IPMI 2.0 (RMCP+) packet; ``raw`` keeps the datagram for the integrity check."""

    payload_type: int
    encrypted: bool
    authenticated: bool
    session_id: int
    sequence: int
    payload: bytes
    raw: bytes
    payload_end: int

    def split_trailer(self, auth_code_length: int) -> tuple[bytes, bytes]:
        """Return (signed bytes, auth code) of an authenticated packet.

        :raises PacketError: when the trailer is too short for the auth code.
        """
        end = len(self.raw) - auth_code_length
        if end < self.payload_end + 2 or self.raw[end - 1] != NEXT_HEADER:
            raise PacketError(reason="integrity trailer missing or malformed")
        return self.raw[4:end], self.raw[end:]


def parse_datagram(data: bytes) -> V15Packet | RmcpPlusPacket | None:
    """Parse one UDP datagram; None for RMCP traffic that is not IPMI (ASF, ACKs).

    :raises PacketError: on a truncated or inconsistent IPMI packet.
    """
    if len(data) < 5 or data[0] != 0x06:
        raise PacketError(reason="not an RMCP version 1.0 datagram")
    if data[3] != 0x07:
        return None
    auth_type = data[4]
    if auth_type == AUTH_TYPE_RMCP_PLUS:
        if len(data) < 16:
            raise PacketError(reason="RMCP+ session header truncated")
        ptype = data[5]
        if ptype & 0x3F == 0x02:
            raise PacketError(reason="OEM payloads are not supported")
        session_id, sequence, length = struct.unpack_from("<IIH", data, 6)
        end = 16 + length
        if end > len(data):
            raise PacketError(reason=f"payload length {length} beyond the datagram")
        return RmcpPlusPacket(ptype & 0x3F, bool(ptype & 0x80), bool(ptype & 0x40),
                              session_id, sequence, bytes(data[16:end]), bytes(data), end)
    if auth_type > 0x05:
        raise PacketError(reason=f"authentication type {auth_type:#x}")
    if len(data) < 14:
        raise PacketError(reason="IPMI 1.5 session header truncated")
    sequence, session_id = struct.unpack_from("<II", data, 5)
    offset = 13 if auth_type == AUTH_TYPE_NONE else 29
    if len(data) <= offset or offset + 1 + data[offset] > len(data):
        raise PacketError(reason="IPMI 1.5 message length beyond the datagram")
    return V15Packet(auth_type, sequence, session_id,
                     bytes(data[offset + 1:offset + 1 + data[offset]]))


def asf_pong(data: bytes) -> bytes | None:
    """Answer an RMCP/ASF Presence Ping (DSP0136) with a Pong; None for anything else."""
    if len(data) < 12 or data[3] != 0x06 or data[4:8] != ASF_IANA or data[8] != 0x80:
        return None
    tag = data[9]
    # Pong: IANA, no OEM data, "IPMI supported" + ASF 1.0, no interactions.
    body = ASF_IANA + bytes((0x40, tag, 0x00, 16)) + ASF_IANA + bytes(4) + bytes(
        (0x81, 0x00)) + bytes(6)
    return b"\x06\x00\xff\x06" + body


def build_v15(payload: bytes) -> bytes:
    """A session-less IPMI 1.5 packet (auth type none, sequence and session 0)."""
    return RMCP_HEADER + struct.pack("<BIIB", AUTH_TYPE_NONE, 0, 0, len(payload)) + payload


def build_rmcp_plus(payload_type: int, session_id: int, sequence: int, payload: bytes, *,
                    encrypted: bool = False,
                    sign: Callable[[bytes], bytes] | None = None) -> bytes:
    """An RMCP+ packet; ``payload`` is already encrypted when ``encrypted``.

    With ``sign`` the packet is authenticated: integrity pad, pad length, next
    header, then ``sign(auth type .. next header)``.
    """
    ptype = payload_type | (0x80 if encrypted else 0) | (0x40 if sign else 0)
    body = struct.pack("<BBIIH", AUTH_TYPE_RMCP_PLUS, ptype, session_id, sequence,
                       len(payload)) + payload
    if sign is None:
        return RMCP_HEADER + body
    pad = (-(len(body) + 2)) % 4
    body += b"\xff" * pad + bytes((pad, NEXT_HEADER))
    return RMCP_HEADER + body + sign(body)


def checksum(data: bytes) -> int:
    """IPMI two's complement checksum: bytes plus checksum sum to 0 mod 256."""
    return -sum(data) & 0xFF


@dataclasses.dataclass(frozen=True)
class IpmiRequest:
    """An IPMI request message (LAN format, table 13-4)."""

    netfn: int
    command: int
    data: bytes = b""
    rq_seq: int = 0
    rq_addr: int = 0x81
    rq_lun: int = 0
    rs_addr: int = BMC_ADDRESS
    rs_lun: int = 0


def parse_request(message: bytes) -> IpmiRequest:
    """Parse an IPMI request message, checking both checksums.

    :raises PacketError: when it is truncated, a checksum is wrong, or it is a response.
    """
    if len(message) < 7:
        raise PacketError(reason=f"IPMI message of {len(message)} bytes")
    if checksum(message[:2]) != message[2] or checksum(message[3:-1]) != message[-1]:
        raise PacketError(reason="IPMI message checksum")
    netfn = message[1] >> 2
    if netfn & 1:
        raise PacketError(reason=f"odd (response) netfn {netfn:#x} in a request")
    return IpmiRequest(netfn=netfn, command=message[5], data=bytes(message[6:-1]),
                       rq_seq=message[4] >> 2, rq_addr=message[3], rq_lun=message[4] & 3,
                       rs_addr=message[0], rs_lun=message[1] & 3)


def build_request(request: IpmiRequest) -> bytes:
    """Serialize a request (used by tests and fuzzing, as a console would)."""
    head = bytes((request.rs_addr, request.netfn << 2 | request.rs_lun))
    body = bytes((request.rq_addr, request.rq_seq << 2 | request.rq_lun,
                  request.command)) + request.data
    return head + bytes((checksum(head),)) + body + bytes((checksum(body),))


def build_response(request: IpmiRequest, completion_code: int, data: bytes = b"") -> bytes:
    """The response message to ``request``."""
    head = bytes((request.rq_addr, (request.netfn + 1) << 2 | request.rq_lun))
    body = bytes((request.rs_addr, request.rq_seq << 2 | request.rs_lun, request.command,
                  completion_code)) + data
    return head + bytes((checksum(head),)) + body + bytes((checksum(body),))
