"""A minimal RMCP+ console for unit tests, talking to a ``VirtualBmc`` without sockets.

The RAKP codes are computed here straight from the spec's formulas (not with
``crypto``), so the handshake is checked against an independent implementation.
"""

import hashlib
import hmac
import os
import struct

from ironic_tripleo.vbmc import crypto
from ironic_tripleo.vbmc import packet as pkt

PEER = ("127.0.0.1", 40000)


class LoginError(Exception):
    def __init__(self, stage, status):
        super().__init__(f"{stage} status {status:#x}")
        self.stage, self.status = stage, status


def open_session_request(tag, console_sid, auth, integrity, conf, privilege=0):
    return (bytes((tag, privilege, 0, 0)) + struct.pack("<I", console_sid)
            + bytes((0, 0, 0, 8, auth, 0, 0, 0, 1, 0, 0, 8, integrity, 0, 0, 0,
                     2, 0, 0, 8, conf, 0, 0, 0)))


class Console:
    def __init__(self, bmc, username=b"admin", password=b"password", suite=crypto.SUITE_17,
                 now=1000.0, handle=None):
        self.bmc, self.username, self.password, self.suite = bmc, username, password, suite
        self.now = now
        self.handle = handle or (lambda data: bmc.handle_sync(data, PEER, self.now))
        self.console_sid = 0x11223344
        self.seq = 0
        self.rq_seq = 0
        self.keys = None
        self.bmc_sid = None

    def exchange(self, ptype, payload):
        reply = self.handle(pkt.build_rmcp_plus(ptype, 0, 0, payload))
        return pkt.parse_datagram(reply).payload

    def login(self, role=0x04, kg=None):
        digest = hashlib.new(self.suite.digest).name
        out = self.exchange(pkt.PAYLOAD_OPEN_SESSION_REQUEST, open_session_request(
            1, self.console_sid, self.suite.auth, self.suite.integrity,
            self.suite.confidentiality))
        if out[1]:
            raise LoginError("open", out[1])
        self.bmc_sid = struct.unpack_from("<I", out, 8)[0]
        rm = os.urandom(16)
        user = self.username
        name = bytes((role, len(user))) + user
        out = self.exchange(pkt.PAYLOAD_RAKP1, bytes((2, 0, 0, 0))
                            + struct.pack("<I", self.bmc_sid) + rm
                            + bytes((role, 0, 0, len(user))) + user)
        if out[1]:
            raise LoginError("rakp2", out[1])
        rc, guid, code = out[8:24], out[24:40], out[40:]
        expected = hmac.new(self.password, struct.pack("<II", self.console_sid, self.bmc_sid)
                            + rm + rc + guid + name, digest).digest()
        proof = hmac.new(self.password, rc + struct.pack("<I", self.console_sid) + name,
                         digest).digest()
        status = 0 if code == expected else 0x0F
        out = self.exchange(pkt.PAYLOAD_RAKP3, bytes((3, status, 0, 0))
                            + struct.pack("<I", self.bmc_sid) + proof)
        if out[1]:
            raise LoginError("rakp4", out[1])
        sik = hmac.new(kg or self.password, rm + rc + name, digest).digest()
        icv = hmac.new(sik, rm + struct.pack("<I", self.bmc_sid) + guid, digest).digest()
        assert out[8:] == icv[:self.suite.icv_length]
        self.keys = crypto.SessionKeys(
            self.suite, hmac.new(sik, b"\x01" * 20, digest).digest(),
            hmac.new(sik, b"\x02" * 20, digest).digest()[:16])
        return self

    def packet(self, netfn, command, data=b"", seq=None):
        self.seq += 1
        self.rq_seq = (self.rq_seq + 1) % 64
        message = pkt.build_request(pkt.IpmiRequest(netfn, command, bytes(data), self.rq_seq))
        return pkt.build_rmcp_plus(pkt.PAYLOAD_IPMI, self.bmc_sid,
                                   self.seq if seq is None else seq,
                                   self.keys.encrypt(message), encrypted=True,
                                   sign=self.keys.sign)

    def parse_reply(self, reply):
        if reply is None:
            return None
        packet = pkt.parse_datagram(reply)
        assert packet.session_id == self.console_sid
        signed, code = packet.split_trailer(self.keys.auth_code_length)
        assert self.keys.verify(signed, code)
        message = self.keys.decrypt(packet.payload)
        assert pkt.checksum(message[3:-1]) == message[-1]
        return message[6], message[7:-1]

    def request(self, netfn, command, data=b"", seq=None):
        """Return (completion code, data), or None when the BMC dropped the packet."""
        return self.parse_reply(self.handle(self.packet(netfn, command, data, seq)))

    def raw(self, data):
        return self.handle(data)
