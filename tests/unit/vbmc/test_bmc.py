import struct

import pytest

from ironic_tripleo.vbmc import crypto
from ironic_tripleo.vbmc import packet as pkt
from ironic_tripleo.vbmc.backend import PowerState
from ironic_tripleo.vbmc.bmc import PendingCommand, VirtualBmc
from ironic_tripleo.vbmc.memory_backend import MemoryBackend
from tests.harness.ipmi_console import PEER, Console, LoginError, open_session_request


@pytest.fixture
def backend():
    return MemoryBackend()


@pytest.fixture
def bmc(backend):
    return VirtualBmc("node-1", backend, b"admin", b"password")


def sessionless(bmc, netfn, command, data, v15=True):
    message = pkt.build_request(pkt.IpmiRequest(netfn, command, bytes(data)))
    frame = pkt.build_v15(message) if v15 else pkt.build_rmcp_plus(0, 0, 0, message)
    reply = pkt.parse_datagram(bmc.handle(frame, PEER, 0))
    return reply.payload[6], reply.payload[7:-1]


@pytest.mark.parametrize("v15", [True, False])
def test_channel_auth_capabilities_before_login(bmc, v15):
    cc, data = sessionless(bmc, 0x06, 0x38, (0x8E, 0x04), v15)
    assert cc == 0 and data[0] == 1 and data[1] & 0x80 and data[3] & 0x02


def test_cipher_suites_before_login(bmc):
    cc, data = sessionless(bmc, 0x06, 0x54, (0x0E, 0x00, 0x80))
    assert cc == 0 and data == b"\x01" + crypto.SUITE_17.record() + crypto.SUITE_3.record()
    assert sessionless(bmc, 0x06, 0x54, (0x0E, 0x00, 0x81)) == (0, b"\x01")


def test_machine_commands_need_a_session(bmc):
    assert sessionless(bmc, 0x00, 0x02, (0x01,))[0] == 0xD4


@pytest.mark.parametrize("suite", crypto.SUITES)
def test_login_and_commands(bmc, backend, suite):
    console = Console(bmc, suite=suite).login()
    assert console.request(0x00, 0x02, (0x01,)) == (0xD4, b"")  # still at User level
    assert console.request(0x06, 0x3B, (0x04,)) == (0, b"\x04")
    assert console.request(0x00, 0x02, (0x01,)) == (0, b"")
    assert backend.get_power_state() is PowerState.ON
    cc, data = console.request(0x00, 0x01)
    assert cc == 0 and data[0] & 1
    assert console.request(0x06, 0x01)[1][4] == 0x02  # IPMI 2.0
    assert console.request(0x0A, 0x40) == (0xC1, b"")  # Get SEL Info: not ours
    assert console.request(0x06, 0x3C, struct.pack("<I", console.bmc_sid)) == (0, b"")
    assert console.request(0x00, 0x01) is None  # session closed
    assert len(bmc.sessions) == 0


def test_machine_commands_are_deferred(bmc):
    console = Console(bmc).login()
    console.request(0x06, 0x3B, (0x04,))
    pending = bmc.handle(console.packet(0x00, 0x02, (0x01,)), PEER, console.now)
    assert isinstance(pending, PendingCommand)
    assert console.parse_reply(bmc.complete(pending, bmc.run(pending))) == (0, b"")


def test_privilege_above_the_login_role_is_refused(bmc):
    console = Console(bmc).login(role=0x13)  # operator, name-only lookup
    assert console.request(0x06, 0x3B, (0x04,)) == (0x81, b"")
    assert console.request(0x06, 0x3B, (0x03,)) == (0, b"\x03")
    assert console.request(0x06, 0x3B, (0x00,)) == (0, b"\x03")


def test_wrong_user_and_password(bmc, backend):
    with pytest.raises(LoginError) as err:
        Console(bmc, username=b"root").login()
    assert (err.value.stage, err.value.status) == ("rakp2", 0x0D)
    with pytest.raises(LoginError) as err:
        Console(bmc, password=b"wrong").login()
    assert (err.value.stage, err.value.status) == ("rakp4", 0x0F)
    assert len(bmc.sessions) == 0 and backend.changes() == 0


def test_unsupported_algorithms_are_refused(bmc):
    console = Console(bmc)
    out = console.exchange(0x10, open_session_request(9, 5, 0x03, 0x01, 0x01))
    assert out[0] == 9 and out[1] == 0x11
    assert struct.unpack_from("<I", out, 4)[0] == 5
    out = console.exchange(0x10, open_session_request(9, 5, 0x00, 0x00, 0x00))
    assert out[1] == 0x11
    assert len(bmc.sessions) == 0


def test_wildcard_proposal_gets_the_strongest_suite(bmc):
    request = bytearray(open_session_request(1, 5, 0, 0, 0))
    for offset in (11, 19, 27):
        request[offset] = 0  # payload length 0: "any algorithm"
    out = Console(bmc).exchange(0x10, bytes(request))
    assert out[1] == 0 and out[16] == crypto.SUITE_17.auth and out[24] == 4


def test_rakp1_for_unknown_session(bmc):
    out = Console(bmc).exchange(0x12, bytes(4) + b"\x99\0\0\0" + bytes(16)
                                + b"\x04\0\0\x05admin")
    assert out[1] == 0x02


def test_tampered_and_unencrypted_packets_are_dropped(bmc):
    console = Console(bmc).login()
    data = bytearray(console.packet(0x06, 0x01))
    data[-1] ^= 1
    assert console.raw(bytes(data)) is None
    message = pkt.build_request(pkt.IpmiRequest(0x06, 0x01))
    plain = pkt.build_rmcp_plus(0, console.bmc_sid, 50, message, sign=console.keys.sign)
    assert console.raw(plain) is None
    assert console.request(0x06, 0x01)[0] == 0


def test_replayed_old_sequence_is_dropped(bmc):
    console = Console(bmc).login()
    assert console.request(0x06, 0x01, seq=100)[0] == 0
    assert console.request(0x06, 0x01, seq=50) is None
    assert console.request(0x06, 0x01, seq=101)[0] == 0


def test_idle_session_expires(bmc):
    console = Console(bmc).login()
    console.now += 61
    assert console.request(0x06, 0x01) is None


def test_garbage_is_dropped(bmc):
    for data in (b"", b"\x06\x00\xff\x07\x06", bytes(100), b"\x06\x00\xff\x07" + bytes(60)):
        assert bmc.handle(data, PEER, 0) is None


def test_session_info(bmc):
    console = Console(bmc).login()
    cc, data = console.request(0x06, 0x3D, (0x00,))
    assert cc == 0 and data[2] == 1 and data[6:10] == bytes((127, 0, 0, 1))


def test_full_session_table_is_reported(backend):
    bmc = VirtualBmc("node-1", backend, b"admin", b"password", session_limit=1)
    Console(bmc).login()
    out = Console(bmc).exchange(0x10, open_session_request(1, 6, 3, 4, 1))
    assert out[1] == 0x01  # insufficient resources


def test_abandoned_login_is_logged_when_it_expires(bmc, caplog):
    caplog.set_level("INFO")
    console = Console(bmc)
    out = console.exchange(0x10, open_session_request(1, 5, 3, 4, 1))
    sid = struct.unpack_from("<I", out, 8)[0]
    console.exchange(0x12, bytes(4) + struct.pack("<I", sid) + bytes(16) + b"\x14\0\0\x05admin")
    bmc.expire(console.now + 5)
    assert len(bmc.sessions) == 1
    bmc.expire(console.now + 11)
    assert len(bmc.sessions) == 0
    assert "node-1: login as 'admin' abandoned after RAKP 2 (wrong password?)" in caplog.text


def test_retransmission_of_a_running_command_is_not_run_twice(bmc):
    console = Console(bmc).login()
    console.request(0x06, 0x3B, (0x04,))
    frame = console.packet(0x00, 0x02, (0x02,))
    pending = bmc.handle(frame, PEER, console.now)
    assert isinstance(pending, PendingCommand)
    assert bmc.handle(frame, PEER, console.now) is None  # still running
    bmc.complete(pending, bmc.run(pending))
    assert isinstance(bmc.handle(frame, PEER, console.now), PendingCommand)
