import struct

import pytest

from ironic_tripleo.vbmc import packet as pkt
from ironic_tripleo.vbmc.exception import PacketError


def test_request_round_trip_and_response_layout():
    request = pkt.IpmiRequest(netfn=0x06, command=0x01, data=b"\x01\x02", rq_seq=5)
    assert pkt.parse_request(pkt.build_request(request)) == request
    response = pkt.build_response(request, 0x00, b"\xaa")
    assert response[0] == 0x81 and response[1] >> 2 == 0x07
    assert response[3] == 0x20 and response[4] >> 2 == 5 and response[5] == 0x01
    assert response[6:8] == b"\x00\xaa"
    assert pkt.checksum(response[:2]) == response[2]
    assert sum(response[3:]) % 256 == 0


@pytest.mark.parametrize("mangle", [
    lambda m: m[:5],
    lambda m: m[:2] + bytes((m[2] ^ 1,)) + m[3:],
    lambda m: m[:-1] + bytes((m[-1] ^ 1,)),
])
def test_bad_requests_raise(mangle):
    message = pkt.build_request(pkt.IpmiRequest(netfn=0, command=1))
    with pytest.raises(PacketError):
        pkt.parse_request(mangle(message))


def test_response_netfn_in_a_request_is_refused():
    message = pkt.build_request(pkt.IpmiRequest(netfn=0x07, command=1))
    with pytest.raises(PacketError, match="odd"):
        pkt.parse_request(message)


def test_v15_round_trip():
    packet = pkt.parse_datagram(pkt.build_v15(b"hello"))
    assert packet == pkt.V15Packet(0, 0, 0, b"hello")


@pytest.mark.parametrize("size", range(0, 9))
def test_rmcp_plus_integrity_trailer_is_aligned(size):
    payload = bytes(range(size))
    data = pkt.build_rmcp_plus(pkt.PAYLOAD_IPMI, 7, 9, payload, encrypted=True,
                               sign=lambda signed: b"S" * 12)
    assert (len(data) - 4 - 12) % 4 == 0
    packet = pkt.parse_datagram(data)
    assert (packet.payload, packet.session_id, packet.sequence) == (payload, 7, 9)
    assert packet.authenticated and packet.encrypted
    signed, code = packet.split_trailer(12)
    assert code == b"S" * 12 and signed == data[4:-12] and signed[-1] == 0x07


def test_unauthenticated_rmcp_plus():
    packet = pkt.parse_datagram(pkt.build_rmcp_plus(0x10, 0, 0, b"x" * 32))
    assert packet.payload_type == 0x10 and not packet.authenticated
    with pytest.raises(PacketError):
        packet.split_trailer(12)


@pytest.mark.parametrize("data", [
    b"", b"\x07\x00\xff\x07\x00", b"\x06\x00\xff\x07\x06\x00",
    b"\x06\x00\xff\x07\x06\x00" + struct.pack("<IIH", 0, 0, 100),
    b"\x06\x00\xff\x07\x09" + bytes(12),
    b"\x06\x00\xff\x07\x00" + bytes(8) + b"\x10",
    b"\x06\x00\xff\x07\x06\x02" + bytes(10),
])
def test_garbage_raises(data):
    with pytest.raises(PacketError):
        pkt.parse_datagram(data)


def test_asf_ping_gets_pong():
    ping = b"\x06\x00\xff\x06" + pkt.ASF_IANA + b"\x80\x2a\x00\x00"
    pong = pkt.asf_pong(ping)
    assert pong[3] == 0x06 and pong[8] == 0x40 and pong[9] == 0x2A
    assert pong[20] & 0x80  # IPMI supported
    assert pkt.parse_datagram(ping) is None
