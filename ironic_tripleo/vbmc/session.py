"""RMCP+ sessions of one BMC: state, sequence numbers, idle expiry.

Only the I/O thread touches a ``SessionTable``; it needs no lock.
"""

from __future__ import annotations

import dataclasses
import enum
import struct

from ironic_tripleo.vbmc.crypto import CipherSuite, SessionKeys, random_bytes

# Privilege levels (table 22-?, "Set Session Privilege Level").
PRIV_CALLBACK = 1
PRIV_USER = 2
PRIV_OPERATOR = 3
PRIV_ADMIN = 4

#: How far behind the highest inbound sequence number a packet may be and still be
#: accepted (retransmissions, reordering), and how far ahead (lost packets).
SEQUENCE_BEHIND = 16
SEQUENCE_AHEAD = 32


class SessionState(enum.Enum):
    OPENED = "opened"  # Open Session Response sent
    RAKP2_SENT = "rakp2-sent"  # waiting for RAKP 3
    ACTIVE = "active"  # RAKP 4 sent with success: IPMI payloads accepted


@dataclasses.dataclass
class Session:
    """One console's session with this BMC."""

    bmc_sid: int  # SIDc: what the console puts in its packets
    console_sid: int  # SIDm: what we put in ours
    suite: CipherSuite
    max_privilege: int
    last_activity: float
    state: SessionState = SessionState.OPENED
    privilege: int = PRIV_USER  # spec: an activated session starts at User level
    role: int = 0  # RAKP 1's role byte, needed by RAKP 3
    username: bytes = b""
    rm: bytes = b""
    rc: bytes = b""
    keys: SessionKeys | None = None
    inbound_high: int = 0
    outbound_seq: int = 0
    # Requests running on the backend, so a console's retransmission while a slow
    # backend works is not executed twice: (rqSeq, netfn, command, data).
    in_flight: set[tuple[int, int, int, bytes]] = dataclasses.field(default_factory=set)

    def next_sequence(self) -> int:
        """Next outbound session sequence number (starts at 1, skips 0 on wrap)."""
        self.outbound_seq = self.outbound_seq % 0xFFFFFFFF + 1
        return self.outbound_seq

    def accept_sequence(self, sequence: int) -> bool:
        """Check an inbound sequence number loosely, as BMCs do, and record it.

        The first one is taken as is; later ones must lie within a window around
        the highest seen. Duplicates are accepted (retransmissions).
        """
        if sequence == 0:
            return False
        if self.inbound_high == 0:
            self.inbound_high = sequence
            return True
        delta = (sequence - self.inbound_high + 0x80000000) % 0x100000000 - 0x80000000
        if delta < -SEQUENCE_BEHIND or delta > SEQUENCE_AHEAD:
            return False
        if delta > 0:
            self.inbound_high = sequence
        return True


class SessionTable:
    """Sessions of one BMC keyed by the BMC-side session id.

    :param limit: most sessions at once; beyond it the oldest unfinished handshake
        is dropped, and with only active sessions Open Session fails with
        "insufficient resources".
    :param idle_timeout: seconds an active session may stay silent.
    :param handshake_timeout: seconds a session may take to become active.
    """

    def __init__(self, limit: int = 64, idle_timeout: float = 60.0,
                 handshake_timeout: float = 10.0) -> None:
        self.limit = limit
        self.idle_timeout = idle_timeout
        self.handshake_timeout = handshake_timeout
        self._sessions: dict[int, Session] = {}

    def __len__(self) -> int:
        return len(self._sessions)

    def create(self, console_sid: int, suite: CipherSuite, max_privilege: int,
               now: float) -> Session | None:
        """Open a session with a fresh random id; None when the table is full."""
        if len(self._sessions) >= self.limit:
            self.expire(now)
        if len(self._sessions) >= self.limit:
            # Abandoned handshakes (a console that gave up on a wrong password) must
            # not lock out good ones: make room by dropping the oldest of them.
            pending = [s for s in self._sessions.values() if s.state is not SessionState.ACTIVE]
            if not pending:
                return None
            del self._sessions[min(pending, key=lambda s: s.last_activity).bmc_sid]
        while True:
            (sid,) = struct.unpack("<I", random_bytes(4))
            if sid and sid not in self._sessions:
                break
        session = Session(sid, console_sid, suite, max_privilege, now)
        self._sessions[sid] = session
        return session

    def get(self, bmc_sid: int, now: float) -> Session | None:
        """Return a live session (expired ones are dropped on the way)."""
        session = self._sessions.get(bmc_sid)
        if session is not None and self._expired(session, now):
            del self._sessions[bmc_sid]
            return None
        return session

    def remove(self, bmc_sid: int) -> None:
        """Forget a session (Close Session, failed handshake)."""
        self._sessions.pop(bmc_sid, None)

    def _expired(self, session: Session, now: float) -> bool:
        timeout = (self.idle_timeout if session.state is SessionState.ACTIVE
                   else self.handshake_timeout)
        return now - session.last_activity > timeout

    def expire(self, now: float) -> list[Session]:
        """Drop idle sessions and unfinished handshakes; return them."""
        dead = [s for s in self._sessions.values() if self._expired(s, now)]
        for session in dead:
            del self._sessions[session.bmc_sid]
        return dead

    def active_count(self) -> int:
        """Number of activated sessions (Get Session Info reports it)."""
        return sum(s.state is SessionState.ACTIVE for s in self._sessions.values())
