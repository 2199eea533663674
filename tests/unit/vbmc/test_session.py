from ironic_tripleo.vbmc.crypto import SUITE_3
from ironic_tripleo.vbmc.session import SessionState, SessionTable


def test_sequence_window():
    table = SessionTable()
    session = table.create(1, SUITE_3, 4, now=0)
    assert not session.accept_sequence(0)
    assert session.accept_sequence(100)
    assert session.accept_sequence(100)  # retransmission
    assert session.accept_sequence(90)
    assert not session.accept_sequence(83)
    assert session.accept_sequence(132)
    assert not session.accept_sequence(200)
    assert session.inbound_high == 132


def test_sequence_window_wraps():
    session = SessionTable().create(1, SUITE_3, 4, now=0)
    assert session.accept_sequence(0xFFFFFFF0)
    assert session.accept_sequence(3)
    assert session.inbound_high == 3


def test_outbound_sequence_skips_zero():
    session = SessionTable().create(1, SUITE_3, 4, now=0)
    assert [session.next_sequence() for _ in range(2)] == [1, 2]
    session.outbound_seq = 0xFFFFFFFF
    assert session.next_sequence() == 1


def test_expiry_and_limit():
    table = SessionTable(limit=2, idle_timeout=60, handshake_timeout=10)
    a = table.create(1, SUITE_3, 4, now=0)
    b = table.create(2, SUITE_3, 4, now=0)
    assert a.bmc_sid != b.bmc_sid and a.bmc_sid and b.bmc_sid
    a.state = SessionState.ACTIVE
    c = table.create(3, SUITE_3, 4, now=5)  # b's handshake is dropped to make room
    assert c is not None and table.get(b.bmc_sid, 5) is None
    c.state = SessionState.ACTIVE
    assert table.create(4, SUITE_3, 4, now=6) is None  # only active sessions: full
    assert table.get(a.bmc_sid, 59) is a
    assert table.get(a.bmc_sid, 61) is None
    assert table.expire(100) == [c] and len(table) == 0
