"""RMCP+ cryptography: cipher suites, RAKP key exchange codes, integrity, AES-CBC.

Pure functions over bytes (IPMI 2.0 section 13.28-13.32). Notation of the spec:
``m`` is the remote console, ``c`` the managed system (this BMC): ``SIDm``/``SIDc``
session ids, ``Rm``/``Rc`` random numbers, ``GUIDc`` the BMC's GUID, ``ROLEm`` the
role byte of RAKP 1, ``UNAMEm`` the user name.
"""

from __future__ import annotations

import dataclasses
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ironic_tripleo.vbmc.exception import PacketError

# Table 13-17..13-19: algorithm numbers.
AUTH_RAKP_HMAC_SHA1 = 0x01
AUTH_RAKP_HMAC_SHA256 = 0x03
INTEGRITY_HMAC_SHA1_96 = 0x01
INTEGRITY_HMAC_SHA256_128 = 0x04
CONF_AES_CBC_128 = 0x01

# K1 and K2 derive from 20-byte constants whatever the hash (ipmitool and pyghmi agree).
_CONST_1 = b"\x01" * 20
_CONST_2 = b"\x02" * 20
AES_BLOCK = 16


@dataclasses.dataclass(frozen=True)
class CipherSuite:
    """One cipher suite: authentication, integrity and confidentiality algorithms."""

    id: int
    auth: int
    integrity: int
    confidentiality: int
    digest: str  # hashlib name used by the three HMACs
    icv_length: int  # truncated length of the RAKP 4 ICV and of per-packet auth codes

    def record(self) -> bytes:
        """Return the Get Channel Cipher Suites record (table 22-19)."""
        return bytes((0xC0, self.id, self.auth, 0x40 | self.integrity,
                      0x80 | self.confidentiality))


SUITE_3 = CipherSuite(3, AUTH_RAKP_HMAC_SHA1, INTEGRITY_HMAC_SHA1_96, CONF_AES_CBC_128,
                      "sha1", 12)
SUITE_17 = CipherSuite(17, AUTH_RAKP_HMAC_SHA256, INTEGRITY_HMAC_SHA256_128,
                       CONF_AES_CBC_128, "sha256", 16)
#: Supported suites, strongest first (the order Get Channel Cipher Suites lists them).
SUITES: tuple[CipherSuite, ...] = (SUITE_17, SUITE_3)


def find_suite(auth: int, integrity: int, confidentiality: int) -> CipherSuite | None:
    """Return the supported suite made of exactly these algorithms, or None."""
    for suite in SUITES:
        if (suite.auth, suite.integrity, suite.confidentiality) == (
                auth, integrity, confidentiality):
            return suite
    return None


def _hmac(suite: CipherSuite, key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, suite.digest).digest()


def _name_fields(role: int, username: bytes) -> bytes:
    return bytes((role, len(username))) + username


def rakp2_auth_code(suite: CipherSuite, password: bytes, sid_m: int, sid_c: int, rm: bytes,
                    rc: bytes, guid_c: bytes, role: int, username: bytes) -> bytes:
    """Key exchange authentication code of RAKP 2 (HMAC keyed with the password)."""
    data = struct.pack("<II", sid_m, sid_c) + rm + rc + guid_c + _name_fields(role, username)
    return _hmac(suite, password, data)


def rakp3_auth_code(suite: CipherSuite, password: bytes, rc: bytes, sid_m: int, role: int,
                    username: bytes) -> bytes:
    """Key exchange authentication code the console must send in RAKP 3."""
    data = rc + struct.pack("<I", sid_m) + _name_fields(role, username)
    return _hmac(suite, password, data)


def session_integrity_key(suite: CipherSuite, kg: bytes, rm: bytes, rc: bytes, role: int,
                          username: bytes) -> bytes:
    """SIK: HMAC keyed with Kg (the password when no BMC key is set)."""
    return _hmac(suite, kg, rm + rc + _name_fields(role, username))


def rakp4_icv(suite: CipherSuite, sik: bytes, rm: bytes, sid_c: int, guid_c: bytes) -> bytes:
    """Integrity check value of RAKP 4, truncated as the suite says."""
    return _hmac(suite, sik, rm + struct.pack("<I", sid_c) + guid_c)[:suite.icv_length]


@dataclasses.dataclass(frozen=True)
class SessionKeys:
    """Keys of an established session: K1 signs packets, K2's first 16 bytes encrypt."""

    suite: CipherSuite
    k1: bytes
    aes_key: bytes

    @classmethod
    def derive(cls, suite: CipherSuite, sik: bytes) -> SessionKeys:
        """Derive K1 and the AES key from the session integrity key."""
        return cls(suite, _hmac(suite, sik, _CONST_1), _hmac(suite, sik, _CONST_2)[:16])

    @property
    def auth_code_length(self) -> int:
        """Length of the integrity auth code at the end of each packet."""
        return self.suite.icv_length

    def sign(self, data: bytes) -> bytes:
        """Per-packet auth code over ``data`` (auth type byte .. next header byte)."""
        return _hmac(self.suite, self.k1, data)[:self.suite.icv_length]

    def verify(self, data: bytes, auth_code: bytes) -> bool:
        """Whether ``auth_code`` signs ``data``, in constant time."""
        return hmac.compare_digest(self.sign(data), auth_code)

    def encrypt(self, payload: bytes, iv: bytes | None = None) -> bytes:
        """AES-CBC-128 payload: IV, then payload + pad 1, 2, ... + pad length, encrypted."""
        iv = os.urandom(AES_BLOCK) if iv is None else iv
        pad_len = (-(len(payload) + 1)) % AES_BLOCK
        plain = payload + bytes(range(1, pad_len + 1)) + bytes((pad_len,))
        encryptor = Cipher(algorithms.AES(self.aes_key), modes.CBC(iv)).encryptor()
        return iv + encryptor.update(plain) + encryptor.finalize()

    def decrypt(self, data: bytes) -> bytes:
        """Inverse of :meth:`encrypt`.

        :raises PacketError: when the length or the confidentiality trailer is wrong.
        """
        if len(data) < 2 * AES_BLOCK or len(data) % AES_BLOCK:
            raise PacketError(reason=f"encrypted payload of {len(data)} bytes")
        decryptor = Cipher(algorithms.AES(self.aes_key), modes.CBC(data[:AES_BLOCK])).decryptor()
        plain = decryptor.update(data[AES_BLOCK:]) + decryptor.finalize()
        pad_len = plain[-1]
        if pad_len >= AES_BLOCK:
            raise PacketError(reason=f"confidentiality pad length {pad_len}")
        # The pad bytes (1, 2, ...) are not checked: the packet's integrity code
        # already covers them, and a mismatch would only drop a genuine packet.
        return plain[:len(plain) - pad_len - 1]



def random_bytes(length: int = 16) -> bytes:
    """Random numbers (Rc) come from the OS generator."""
    return os.urandom(length)
