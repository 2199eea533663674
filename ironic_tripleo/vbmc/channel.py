"""Answers about the BMC and its LAN channel: pure functions of the request data.

Get Channel Authentication Capabilities, Get Channel Cipher Suites and Get Device
ID work outside a session too (consoles ask before they log in); Get Session Info
describes a session.
"""

from __future__ import annotations

import socket
import struct

from ironic_tripleo.vbmc import crypto

LAN_CHANNEL = 0x01
CC_OK = 0x00
CC_REQUEST_LENGTH = 0xC7
CC_INVALID_DATA = 0xCC
CC_PARAMETER_OUT_OF_RANGE = 0xC9

CIPHER_SUITE_CHUNK = 16  # record bytes per Get Channel Cipher Suites response

Result = tuple[int, bytes]


def _channel_ok(channel: int) -> bool:
    return channel in (LAN_CHANNEL, 0x0E)  # 0Eh: "this channel"


def channel_auth_capabilities(data: bytes) -> Result:
    """Get Channel Authentication Capabilities (App 38h): RMCP+ only, non-null users."""
    if len(data) < 2:
        return CC_REQUEST_LENGTH, b""
    extended, channel, privilege = data[0] & 0x80, data[0] & 0x0F, data[1] & 0x0F
    if not _channel_ok(channel) or not 1 <= privilege <= 5:
        return CC_INVALID_DATA, b""
    return CC_OK, bytes((
        LAN_CHANNEL,
        0x80,  # IPMI 2.0 extended capabilities; no IPMI 1.5 authentication types
        0x04,  # non-null user names; per-message and user-level auth on; Kg default
        0x02 if extended else 0x00,  # channel supports IPMI 2.0 connections
        0x00, 0x00, 0x00, 0x00,  # OEM id, OEM auxiliary data
    ))


def _cipher_suite_data(by_suite: bool) -> bytes:
    if by_suite:
        return b"".join(suite.record() for suite in crypto.SUITES)
    tags: list[int] = []
    for suite in crypto.SUITES:
        for tag in (suite.auth, 0x40 | suite.integrity, 0x80 | suite.confidentiality):
            if tag not in tags:
                tags.append(tag)
    return bytes(tags)


def channel_cipher_suites(data: bytes) -> Result:
    """Get Channel Cipher Suites (App 54h): the records, 16 bytes per list index."""
    if len(data) < 3:
        return CC_REQUEST_LENGTH, b""
    if not _channel_ok(data[0] & 0x0F):
        return CC_INVALID_DATA, b""
    index = data[2] & 0x3F
    records = _cipher_suite_data(bool(data[2] & 0x80))
    chunk = records[index * CIPHER_SUITE_CHUNK:(index + 1) * CIPHER_SUITE_CHUNK]
    return CC_OK, bytes((LAN_CHANNEL,)) + chunk


def device_id(data: bytes = b"") -> Result:
    """Get Device ID (App 01h): a generic IPMI 2.0 BMC with chassis support."""
    return CC_OK, bytes((
        0x20,  # device id
        0x01,  # device revision; no device SDRs
        0x01, 0x00,  # firmware 1.00, device available
        0x02,  # IPMI version 2.0
        0x80,  # additional device support: chassis device
        0x00, 0x00, 0x00,  # manufacturer id (none registered)
        0x00, 0x00,  # product id
    ))


def session_info(handle: int, limit: int, active: int, privilege: int,
                 peer: tuple[str, int]) -> Result:
    """Get Session Info (App 3Dh) for the caller's own session over IPMI 2.0 LAN."""
    try:
        address = socket.inet_aton(peer[0])
    except OSError:
        address = bytes(4)
    return CC_OK, bytes((handle & 0x3F, min(limit, 63), min(active, 63), 0x01,
                         privilege & 0x0F, 0x10 | LAN_CHANNEL)) + address + bytes(6) + (
        struct.pack(">H", peer[1]))
