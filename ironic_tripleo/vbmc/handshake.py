"""RMCP+ session establishment: Open Session and RAKP 1-4 (IPMI 2.0 section 13.17-13.31).

Each function takes the request payload and returns the response payload; the
caller frames it. Failures are answered with a status code (table 13-15) so a
console reports them at once instead of timing out.
"""

from __future__ import annotations

import dataclasses
import enum
import hmac
import logging
import struct

from ironic_tripleo import bmc_limits
from ironic_tripleo.vbmc import crypto
from ironic_tripleo.vbmc.exception import PacketError
from ironic_tripleo.vbmc.session import PRIV_ADMIN, SessionState, SessionTable

LOG = logging.getLogger(__name__)

USERNAME_MAX = bmc_limits.USERNAME_MAX_BYTES
PASSWORD_MAX = bmc_limits.PASSWORD_MAX_BYTES


class Status(enum.IntEnum):
    """RMCP+ and RAKP message status codes (table 13-15)."""

    OK = 0x00
    INSUFFICIENT_RESOURCES = 0x01
    INVALID_SESSION_ID = 0x02
    INVALID_ROLE = 0x09
    UNAUTHORIZED_ROLE = 0x0A
    INVALID_NAME_LENGTH = 0x0C
    UNAUTHORIZED_NAME = 0x0D
    INVALID_INTEGRITY_CHECK = 0x0F
    NO_CIPHER_SUITE_MATCH = 0x11
    ILLEGAL_PARAMETER = 0x12


@dataclasses.dataclass(frozen=True)
class Credentials:
    """The one user of a virtual BMC; ``kg`` is the BMC key (None: the password)."""

    username: bytes
    password: bytes = dataclasses.field(repr=False)
    guid: bytes = bytes(16)
    kg: bytes | None = dataclasses.field(default=None, repr=False)
    max_privilege: int = PRIV_ADMIN


def _algorithm(payload: bytes, offset: int, kind: int) -> int | None:
    """Algorithm of one proposal record; None for a wildcard (length 0)."""
    record = payload[offset:offset + 8]
    if record[0] != kind:
        raise PacketError(reason=f"open session: record {kind} has type {record[0]}")
    return None if record[3] == 0 else record[4] & 0x3F


def _choose_suite(auth: int | None, integrity: int | None,
                  conf: int | None) -> crypto.CipherSuite | None:
    for suite in crypto.SUITES:
        if all(proposed is None or proposed == mine for proposed, mine in (
                (auth, suite.auth), (integrity, suite.integrity),
                (conf, suite.confidentiality))):
            return suite
    return None


def open_session(table: SessionTable, payload: bytes, now: float,
                 max_privilege: int = PRIV_ADMIN) -> bytes:
    """Answer an Open Session Request: accept the proposed algorithms or refuse.

    :raises PacketError: when the request is truncated or malformed.
    """
    if len(payload) < 32:
        raise PacketError(reason=f"open session request of {len(payload)} bytes")
    tag, requested = payload[0], payload[1] & 0x0F
    (console_sid,) = struct.unpack_from("<I", payload, 4)
    suite = _choose_suite(_algorithm(payload, 8, 0), _algorithm(payload, 16, 1),
                          _algorithm(payload, 24, 2))

    def refuse(status: Status) -> bytes:
        return bytes((tag, status, 0, 0)) + struct.pack("<I", console_sid)

    if suite is None:
        return refuse(Status.NO_CIPHER_SUITE_MATCH)
    if requested > 5:
        return refuse(Status.INVALID_ROLE)
    if requested > max_privilege:
        return refuse(Status.UNAUTHORIZED_ROLE)
    granted = requested or max_privilege
    session = table.create(console_sid, suite, granted, now)
    if session is None:
        return refuse(Status.INSUFFICIENT_RESOURCES)
    return (bytes((tag, Status.OK, granted, 0))
            + struct.pack("<II", console_sid, session.bmc_sid)
            + bytes((0, 0, 0, 8, suite.auth, 0, 0, 0))
            + bytes((1, 0, 0, 8, suite.integrity, 0, 0, 0))
            + bytes((2, 0, 0, 8, suite.confidentiality, 0, 0, 0)))


def rakp1(table: SessionTable, credentials: Credentials, payload: bytes,
          now: float) -> bytes:
    """Answer RAKP 1 with RAKP 2: the BMC's random number, GUID and proof of the password.

    :raises PacketError: when the message is truncated.
    """
    if len(payload) < 28 or len(payload) < 28 + payload[27]:
        raise PacketError(reason=f"RAKP 1 of {len(payload)} bytes")
    tag = payload[0]
    (bmc_sid,) = struct.unpack_from("<I", payload, 4)
    rm, role, name_len = payload[8:24], payload[24], payload[27]
    username = payload[28:28 + name_len]
    session = table.get(bmc_sid, now)

    def refuse(status: Status, console_sid: int) -> bytes:
        return bytes((tag, status, 0, 0)) + struct.pack("<I", console_sid)

    if session is None or session.state is SessionState.ACTIVE:
        return refuse(Status.INVALID_SESSION_ID, 0)
    console_sid = session.console_sid
    status = Status.OK
    if name_len > USERNAME_MAX:
        status = Status.INVALID_NAME_LENGTH
    elif not hmac.compare_digest(username, credentials.username):
        status = Status.UNAUTHORIZED_NAME
    elif not 1 <= role & 0x0F <= 5:
        status = Status.INVALID_ROLE
    elif role & 0x0F > min(session.max_privilege, credentials.max_privilege):
        status = Status.UNAUTHORIZED_ROLE
    if status is not Status.OK:
        table.remove(bmc_sid)
        return refuse(status, console_sid)
    # A retransmitted RAKP 1 gets the same Rc, so either copy of RAKP 2 is valid.
    if not (session.state is SessionState.RAKP2_SENT and session.rm == rm):
        session.rc = crypto.random_bytes(16)
    session.rm, session.role, session.username = rm, role, username
    session.state = SessionState.RAKP2_SENT
    session.last_activity = now
    code = crypto.rakp2_auth_code(session.suite, credentials.password, console_sid, bmc_sid,
                                  rm, session.rc, credentials.guid, role, username)
    return (bytes((tag, Status.OK, 0, 0)) + struct.pack("<I", console_sid) + session.rc
            + credentials.guid + code)


def rakp3(table: SessionTable, credentials: Credentials, payload: bytes,
          now: float) -> bytes:
    """Answer RAKP 3 with RAKP 4 and activate the session, or refuse and drop it.

    :raises PacketError: when the message is truncated.
    """
    if len(payload) < 8:
        raise PacketError(reason=f"RAKP 3 of {len(payload)} bytes")
    tag, console_status = payload[0], payload[1]
    (bmc_sid,) = struct.unpack_from("<I", payload, 4)
    session = table.get(bmc_sid, now)
    if session is None or session.state is not SessionState.RAKP2_SENT:
        return bytes((tag, Status.INVALID_SESSION_ID, 0, 0, 0, 0, 0, 0))
    suite, console_sid = session.suite, session.console_sid
    expected = crypto.rakp3_auth_code(suite, credentials.password, session.rc, console_sid,
                                      session.role, session.username)
    if console_status != Status.OK or not hmac.compare_digest(payload[8:], expected):
        table.remove(bmc_sid)
        LOG.debug("RAKP 3 refused (console status %#x): wrong password?", console_status)
        return bytes((tag, Status.INVALID_INTEGRITY_CHECK, 0, 0)) + struct.pack(
            "<I", console_sid)
    kg = credentials.kg if credentials.kg is not None else credentials.password
    sik = crypto.session_integrity_key(suite, kg, session.rm, session.rc, session.role,
                                       session.username)
    session.keys = crypto.SessionKeys.derive(suite, sik)
    session.state = SessionState.ACTIVE
    session.last_activity = now
    icv = crypto.rakp4_icv(suite, sik, session.rm, bmc_sid, credentials.guid)
    return bytes((tag, Status.OK, 0, 0)) + struct.pack("<I", console_sid) + icv
