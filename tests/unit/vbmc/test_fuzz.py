"""Whatever arrives, ``VirtualBmc.handle`` answers or drops it: it never raises."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ironic_tripleo.vbmc import packet as pkt
from ironic_tripleo.vbmc.bmc import VirtualBmc
from ironic_tripleo.vbmc.memory_backend import MemoryBackend
from tests.harness.ipmi_console import PEER, Console

FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def new_bmc():
    return VirtualBmc("fuzz", MemoryBackend(), b"admin", b"password")


@FUZZ
@given(st.binary(max_size=200))
def test_random_datagrams(data):
    reply = new_bmc().handle_sync(data, PEER, 0)
    assert reply is None or reply[:3] == pkt.RMCP_HEADER[:3]


@FUZZ
@given(st.sampled_from([0x00, 0x10, 0x12, 0x14]), st.binary(max_size=80),
       st.integers(0, 2**32 - 1))
def test_random_rmcp_plus_payloads(ptype, payload, session_id):
    bmc = new_bmc()
    reply = bmc.handle_sync(pkt.build_rmcp_plus(ptype, session_id, 0, payload), PEER, 0)
    assert reply is None or reply.startswith(pkt.RMCP_HEADER)


@FUZZ
@given(st.integers(0, 255), st.integers(0, 255), st.binary(max_size=40),
       st.integers(1, 60))
def test_random_commands_in_a_session(netfn, command, data, offset):
    bmc = new_bmc()
    console = Console(bmc).login()
    console.request(0x06, 0x3B, (0x04,))
    message = pkt.build_request(pkt.IpmiRequest(netfn & 0x3E, command, data))
    frame = pkt.build_rmcp_plus(0, console.bmc_sid, console.seq + 1,
                                console.keys.encrypt(message), encrypted=True,
                                sign=console.keys.sign)
    reply = console.parse_reply(bmc.handle_sync(frame, PEER, console.now))
    assert reply is None or isinstance(reply[0], int)
    # A flipped byte anywhere makes the packet fail its integrity check.
    mangled = bytearray(frame)
    mangled[min(offset, len(mangled) - 1)] ^= 0x5A
    # (bytes 1-2, RMCP reserved and sequence, are outside the signed part.)
    assert bmc.handle_sync(bytes(mangled), PEER, console.now) is None or offset in (1, 2)
