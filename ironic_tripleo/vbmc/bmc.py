"""One node's virtual BMC as a protocol object: datagrams in, datagrams out, no I/O.

``VirtualBmc.handle`` answers session-less requests, the RMCP+ handshake and
session commands at once; machine commands come back as a :class:`PendingCommand`
for the server to run on a worker thread (``run``) and turn into a reply
(``complete``) on the I/O thread, which alone touches the session table.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid

from ironic_tripleo.vbmc import channel, handshake
from ironic_tripleo.vbmc import packet as pkt
from ironic_tripleo.vbmc.backend import NodeBackend
from ironic_tripleo.vbmc.commands import (
    CC_INSUFFICIENT_PRIVILEGE,
    CC_INVALID_COMMAND,
    NETFN_APP,
    CommandDispatcher,
    Result,
)
from ironic_tripleo.vbmc.exception import PacketError
from ironic_tripleo.vbmc.session import Session, SessionState, SessionTable

LOG = logging.getLogger(__name__)

CMD_GET_DEVICE_ID = 0x01
CMD_GET_CHANNEL_AUTH_CAPABILITIES = 0x38
CMD_SET_SESSION_PRIVILEGE = 0x3B
CMD_CLOSE_SESSION = 0x3C
CMD_GET_SESSION_INFO = 0x3D
CMD_GET_CHANNEL_CIPHER_SUITES = 0x54
CC_PRIVILEGE_NOT_AVAILABLE = 0x80
CC_PRIVILEGE_EXCEEDS_LIMIT = 0x81
CC_INVALID_SESSION_ID = 0x87

Peer = tuple[str, int]

_SESSIONLESS = {
    CMD_GET_CHANNEL_AUTH_CAPABILITIES: channel.channel_auth_capabilities,
    CMD_GET_CHANNEL_CIPHER_SUITES: channel.channel_cipher_suites,
}


def _request_key(request: pkt.IpmiRequest) -> tuple[int, int, int, bytes]:
    return request.rq_seq, request.netfn, request.command, request.data


@dataclasses.dataclass(frozen=True)
class PendingCommand:
    """A machine command of an authenticated session, to run off the I/O thread."""

    session: Session
    request: pkt.IpmiRequest
    privilege: int


class VirtualBmc:
    """The BMC of one node: its credentials, sessions and commands.

    :param name: node name (log lines, GUID).
    :param backend: what chassis commands act on.
    :param username: the BMC user (bytes, at most 16).
    :param password: its password (bytes, at most 20).
    :param session_limit: most sessions at once.
    :param idle_timeout: seconds before a silent session is dropped.
    """

    def __init__(self, name: str, backend: NodeBackend, username: bytes, password: bytes, *,
                 session_limit: int = 64, idle_timeout: float = 60.0) -> None:
        self.name = name
        guid = uuid.uuid5(uuid.NAMESPACE_URL, f"ironic-tripleo-vbmc:{name}").bytes
        self.credentials = handshake.Credentials(username, password, guid)
        self.sessions = SessionTable(session_limit, idle_timeout,
                                     handshake_timeout=min(10.0, idle_timeout))
        self.dispatcher = CommandDispatcher(name, backend)

    def __repr__(self) -> str:
        return f"VirtualBmc({self.name!r})"

    def handle(self, data: bytes, peer: Peer, now: float) -> bytes | PendingCommand | None:
        """Answer one datagram: reply bytes, a command to run, or None to drop it."""
        if len(data) > 3 and data[3] == 0x06:
            return pkt.asf_pong(data)
        try:
            packet = pkt.parse_datagram(data)
            if isinstance(packet, pkt.V15Packet):
                return self._v15(packet)
            if isinstance(packet, pkt.RmcpPlusPacket):
                return self._rmcp_plus(packet, peer, now)
        except PacketError as exc:
            LOG.debug("%s: dropped datagram from %s: %s", self.name, peer, exc)
        return None

    def expire(self, now: float) -> None:
        """Drop idle sessions; log handshakes abandoned after RAKP 2.

        A console that finds RAKP 2's code wrong (ipmitool, pyghmi: wrong password)
        gives up without RAKP 3, so this is where a wrong password shows here.
        """
        for session in self.sessions.expire(now):
            if session.state is SessionState.RAKP2_SENT:
                LOG.info("%s: login as %r abandoned after RAKP 2 (wrong password?)",
                         self.name, session.username.decode(errors="replace"))

    def run(self, pending: PendingCommand) -> Result:
        """Execute a pending command against the backend (any thread)."""
        return self.dispatcher.execute(pending.request, pending.privilege)

    def complete(self, pending: PendingCommand, result: Result) -> bytes:
        """The reply datagram carrying ``result`` (I/O thread)."""
        pending.session.in_flight.discard(_request_key(pending.request))
        return self._reply(pending.session, pending.request, *result)

    def handle_sync(self, data: bytes, peer: Peer, now: float) -> bytes | None:
        """:meth:`handle` with commands run inline: for tests and one-node tools."""
        out = self.handle(data, peer, now)
        if isinstance(out, PendingCommand):
            return self.complete(out, self.run(out))
        return out

    def _v15(self, packet: pkt.V15Packet) -> bytes | None:
        if packet.session_id or packet.auth_type != pkt.AUTH_TYPE_NONE:
            return None  # no IPMI 1.5 sessions: RMCP+ only
        request = pkt.parse_request(packet.payload)
        return pkt.build_v15(pkt.build_response(request, *self._sessionless(request)))

    @staticmethod
    def _sessionless(request: pkt.IpmiRequest) -> Result:
        handler = _SESSIONLESS.get(request.command) if request.netfn == NETFN_APP else None
        if handler is None:
            return CC_INSUFFICIENT_PRIVILEGE, b""
        return handler(request.data)

    def _rmcp_plus(self, packet: pkt.RmcpPlusPacket, peer: Peer,
                   now: float) -> bytes | PendingCommand | None:
        ptype = packet.payload_type
        table, creds = self.sessions, self.credentials
        if ptype == pkt.PAYLOAD_OPEN_SESSION_REQUEST:
            body = handshake.open_session(table, packet.payload, now, creds.max_privilege)
            return pkt.build_rmcp_plus(pkt.PAYLOAD_OPEN_SESSION_RESPONSE, 0, 0, body)
        if ptype == pkt.PAYLOAD_RAKP1:
            body = handshake.rakp1(table, creds, packet.payload, now)
            if body[1] == handshake.Status.UNAUTHORIZED_NAME:
                LOG.info("%s: login refused from %s: unknown user name", self.name, peer[0])
            return pkt.build_rmcp_plus(pkt.PAYLOAD_RAKP2, 0, 0, body)
        if ptype == pkt.PAYLOAD_RAKP3:
            body = handshake.rakp3(table, creds, packet.payload, now)
            if body[1] == handshake.Status.INVALID_INTEGRITY_CHECK:
                LOG.info("%s: login refused from %s: wrong password", self.name, peer[0])
            return pkt.build_rmcp_plus(pkt.PAYLOAD_RAKP4, 0, 0, body)
        if ptype != pkt.PAYLOAD_IPMI:
            return None
        if packet.session_id == 0:
            if packet.authenticated or packet.encrypted:
                return None
            request = pkt.parse_request(packet.payload)
            message = pkt.build_response(request, *self._sessionless(request))
            return pkt.build_rmcp_plus(pkt.PAYLOAD_IPMI, 0, 0, message)
        return self._in_session(packet, peer, now)

    def _in_session(self, packet: pkt.RmcpPlusPacket, peer: Peer,
                    now: float) -> bytes | PendingCommand | None:
        session = self.sessions.get(packet.session_id, now)
        if session is None or session.state is not SessionState.ACTIVE:
            return None
        keys = session.keys
        assert keys is not None  # set when the session became active
        # This suite requires both integrity and confidentiality on every packet.
        if not (packet.authenticated and packet.encrypted):
            return None
        signed, code = packet.split_trailer(keys.auth_code_length)
        if not keys.verify(signed, code):
            LOG.debug("%s: bad integrity code from %s", self.name, peer)
            return None
        if not session.accept_sequence(packet.sequence):
            LOG.debug("%s: sequence %s out of window", self.name, packet.sequence)
            return None
        session.last_activity = now
        request = pkt.parse_request(keys.decrypt(packet.payload))
        if request.netfn == NETFN_APP:
            result = self._app_command(session, request, peer)
            reply = self._reply(session, request, *result)  # signed before a close
            if request.command == CMD_CLOSE_SESSION and result[0] == 0:
                self.sessions.remove(int.from_bytes(request.data[:4], "little")
                                     or session.bmc_sid)
            return reply
        if self.dispatcher.handles(request.netfn, request.command):
            key = _request_key(request)
            if key in session.in_flight:
                return None  # a retransmission: the running command's reply answers it
            session.in_flight.add(key)
            return PendingCommand(session, request, session.privilege)
        return self._reply(session, request, CC_INVALID_COMMAND)

    def _app_command(self, session: Session, request: pkt.IpmiRequest, peer: Peer) -> Result:
        cmd, data = request.command, request.data
        if cmd == CMD_SET_SESSION_PRIVILEGE:
            return self._set_privilege(session, data)
        if cmd == CMD_CLOSE_SESSION:
            if len(data) < 4:
                return channel.CC_REQUEST_LENGTH, b""
            sid = int.from_bytes(data[:4], "little")
            if sid and self.sessions.get(sid, session.last_activity) is None:
                return CC_INVALID_SESSION_ID, b""
            LOG.debug("%s: session %#x closed", self.name, sid or session.bmc_sid)
            return 0, b""
        if cmd == CMD_GET_SESSION_INFO:
            return channel.session_info(1, self.sessions.limit, self.sessions.active_count(),
                                        session.privilege, peer)
        if cmd == CMD_GET_DEVICE_ID:
            return channel.device_id(data)
        handler = _SESSIONLESS.get(cmd)
        if handler is None:
            return CC_INVALID_COMMAND, b""
        return handler(data)

    @staticmethod
    def _set_privilege(session: Session, data: bytes) -> Result:
        if len(data) < 1:
            return channel.CC_REQUEST_LENGTH, b""
        requested, limit = data[0] & 0x0F, session.role & 0x0F
        if requested == 0:
            return 0, bytes((session.privilege,))
        if not 2 <= requested <= 5:
            return CC_PRIVILEGE_NOT_AVAILABLE, b""
        if requested > limit:
            return CC_PRIVILEGE_EXCEEDS_LIMIT, b""
        session.privilege = requested
        return 0, bytes((requested,))

    @staticmethod
    def _reply(session: Session, request: pkt.IpmiRequest, completion_code: int,
               data: bytes = b"") -> bytes:
        keys = session.keys
        assert keys is not None
        message = pkt.build_response(request, completion_code, data)
        return pkt.build_rmcp_plus(pkt.PAYLOAD_IPMI, session.console_sid,
                                   session.next_sequence(), keys.encrypt(message),
                                   encrypted=True, sign=keys.sign)
