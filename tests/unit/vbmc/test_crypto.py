import hashlib
import hmac

import pytest

from ironic_tripleo.vbmc import crypto
from ironic_tripleo.vbmc.exception import PacketError


def test_suites_and_records():
    assert crypto.find_suite(1, 1, 1) is crypto.SUITE_3
    assert crypto.find_suite(3, 4, 1) is crypto.SUITE_17
    assert crypto.find_suite(3, 1, 1) is None
    assert crypto.find_suite(0, 0, 0) is None
    assert crypto.SUITE_3.record() == bytes((0xC0, 3, 0x01, 0x41, 0x81))
    assert crypto.SUITE_17.record() == bytes((0xC0, 17, 0x03, 0x44, 0x81))


@pytest.mark.parametrize("suite", crypto.SUITES)
def test_keys_follow_the_spec(suite):
    sik = b"k" * 20
    keys = crypto.SessionKeys.derive(suite, sik)
    assert keys.k1 == hmac.new(sik, b"\x01" * 20, suite.digest).digest()
    assert keys.aes_key == hmac.new(sik, b"\x02" * 20, suite.digest).digest()[:16]
    code = keys.sign(b"data")
    assert len(code) == {"sha1": 12, "sha256": 16}[suite.digest]
    assert keys.verify(b"data", code) and not keys.verify(b"datb", code)


def test_rakp_codes_follow_the_spec():
    suite, pw = crypto.SUITE_3, b"password"
    rm, rc, guid = b"m" * 16, b"c" * 16, b"g" * 16
    code = crypto.rakp2_auth_code(suite, pw, 1, 2, rm, rc, guid, 0x14, b"admin")
    data = b"\x01\0\0\0\x02\0\0\0" + rm + rc + guid + b"\x14\x05admin"
    assert code == hmac.new(pw, data, hashlib.sha1).digest()
    assert crypto.rakp3_auth_code(suite, pw, rc, 1, 0x14, b"admin") == hmac.new(
        pw, rc + b"\x01\0\0\0\x14\x05admin", hashlib.sha1).digest()
    sik = crypto.session_integrity_key(suite, pw, rm, rc, 0x14, b"admin")
    assert sik == hmac.new(pw, rm + rc + b"\x14\x05admin", hashlib.sha1).digest()
    assert crypto.rakp4_icv(suite, sik, rm, 2, guid) == hmac.new(
        sik, rm + b"\x02\0\0\0" + guid, hashlib.sha1).digest()[:12]


@pytest.mark.parametrize("size", [0, 1, 14, 15, 16, 17, 40])
def test_aes_round_trip_and_pad(size):
    keys = crypto.SessionKeys.derive(crypto.SUITE_17, b"s" * 32)
    payload = bytes(range(size))
    data = keys.encrypt(payload, iv=bytes(16))
    assert data[:16] == bytes(16) and len(data) % 16 == 0
    assert keys.decrypt(data) == payload
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    plain = Cipher(algorithms.AES(keys.aes_key), modes.CBC(bytes(16))).decryptor().update(
        data[16:])
    pad = plain[-1]
    assert plain[size:-1] == bytes(range(1, pad + 1))


def test_decrypt_rejects_bad_sizes_and_pads():
    keys = crypto.SessionKeys.derive(crypto.SUITE_3, b"s" * 20)
    with pytest.raises(PacketError):
        keys.decrypt(bytes(20))
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    enc = Cipher(algorithms.AES(keys.aes_key), modes.CBC(bytes(16))).encryptor()
    with pytest.raises(PacketError, match="pad length"):
        keys.decrypt(bytes(16) + enc.update(bytes(15) + b"\x20") + enc.finalize())
