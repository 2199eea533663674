"""Parse and check a node's IPMI ``driver_info`` (plain functions over dicts).

The keys are Ironic's own (those of its ``ipmi`` hardware type), so a node can move
between Ironic's ``ipmitool`` interfaces and ours without editing driver_info.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ironic_tripleo import bmc_limits
from ironic_tripleo.exception import InvalidDriverInfo
from ironic_tripleo.field_problems import raise_problems

DEFAULT_PORT = 623
MAX_USERNAME_BYTES = bmc_limits.USERNAME_MAX_BYTES
MAX_PASSWORD_BYTES = bmc_limits.PASSWORD_MAX_BYTES
# IPMI privilege levels, as Ironic's ipmitool names them, to their IPMI numbers.
PRIV_LEVELS = {"CALLBACK": 1, "USER": 2, "OPERATOR": 3, "ADMINISTRATOR": 4}
# pyghmi proposes cipher suite 17 (SHA-256) and falls back to 3 (SHA-1) by itself.
CIPHER_SUITES = (3, 17)

REQUIRED_PROPERTIES = {
    "ipmi_address": "IP address or host name of the BMC. Required.",
}
OPTIONAL_PROPERTIES = {
    "ipmi_port": f"UDP port of the BMC (RMCP+). Optional, default {DEFAULT_PORT}.",
    "ipmi_username": "user name; default is the NULL user. Optional.",
    "ipmi_password": "password. Optional.",
    "ipmi_hex_kg_key": "Kg key for IPMI 2.0 authentication, in hexadecimal. Optional.",
    "ipmi_priv_level": f"privilege level, one of {', '.join(PRIV_LEVELS)}; default is the "
                       "highest the BMC grants. Optional.",
    "ipmi_cipher_suite": "cipher suite, 3 or 17; pyghmi negotiates 17 then 3 by itself, "
                         "so this is only checked. Optional.",
    "ipmi_protocol_version": 'IPMI protocol version; only "2.0" is supported. Optional.',
    "ipmi_bridging": 'bridging type; only "no" is supported. Optional.',
}
COMMON_PROPERTIES = {**REQUIRED_PROPERTIES, **OPTIONAL_PROPERTIES}


@dataclasses.dataclass(frozen=True)
class BMC:
    """Where and how to reach one BMC. Hashable: the session pool keys on it.

    The password and Kg key are left out of ``repr`` so that a BMC can be logged.
    """

    address: str
    port: int = DEFAULT_PORT
    username: str = ""
    password: str = dataclasses.field(default="", repr=False)
    kg_key: bytes | None = dataclasses.field(default=None, repr=False)
    priv_level: int | None = None

    @property
    def label(self) -> str:
        """``address:port`` (IPv6 addresses in brackets), for messages and logs."""
        if ":" in self.address:
            return f"[{self.address}]:{self.port}"
        return f"{self.address}:{self.port}"


def _check_address(value: Any) -> str | None:
    if not isinstance(value, str) or not bmc_limits.is_address(value.strip()):
        return None
    return value.strip()


def _check_port(value: Any) -> int | None:
    return bmc_limits.port_number(value)


def _check_kg(value: Any) -> bytes | None:
    if not isinstance(value, str) or len(value) % 2 or len(value) > 2 * MAX_PASSWORD_BYTES:
        return None
    try:
        return bytes.fromhex(value)
    except ValueError:
        return None


def find_problems(info: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Check ``info`` and describe what is wrong with it.

    :param info: a node's driver_info.
    :returns: (missing field names, descriptions of malformed fields); both empty
        when ``info`` is usable. Secret values never appear in the descriptions.
    """
    missing: list[str] = []
    bad: list[str] = []
    address = info.get("ipmi_address")
    if address is None or address == "":
        missing.append("ipmi_address")
    elif _check_address(address) is None:
        bad.append(f"ipmi_address {address!r} is not an IP address or host name")
    port = info.get("ipmi_port")
    if port is not None and port != "" and _check_port(port) is None:
        bad.append(f"ipmi_port {port!r} is not an integer 1-65535")
    username = info.get("ipmi_username")
    if username is not None and not bmc_limits.fits(username, MAX_USERNAME_BYTES):
        bad.append(f"ipmi_username {username!r} is not a string of at most "
                   f"{MAX_USERNAME_BYTES} bytes")
    password = info.get("ipmi_password")
    if password is not None and not bmc_limits.fits(password, MAX_PASSWORD_BYTES):
        bad.append(f"ipmi_password is not a string of at most {MAX_PASSWORD_BYTES} bytes")
    kg = info.get("ipmi_hex_kg_key")
    if kg not in (None, "") and _check_kg(kg) is None:
        bad.append("ipmi_hex_kg_key is not an even number of hexadecimal digits "
                   f"(at most {2 * MAX_PASSWORD_BYTES})")
    priv = info.get("ipmi_priv_level")
    if priv not in (None, "") and str(priv).upper() not in PRIV_LEVELS:
        bad.append(f"ipmi_priv_level {priv!r} is not one of {', '.join(PRIV_LEVELS)}")
    suite = info.get("ipmi_cipher_suite")
    if suite not in (None, "") and _check_port(suite) not in CIPHER_SUITES:
        bad.append(f"ipmi_cipher_suite {suite!r} is not supported: pyghmi negotiates "
                   "17 or 3")
    version = info.get("ipmi_protocol_version")
    if version not in (None, "") and str(version) != "2.0":
        bad.append(f"ipmi_protocol_version {version!r} is not supported: only '2.0'")
    bridging = info.get("ipmi_bridging")
    if bridging not in (None, "", "no"):
        bad.append(f"ipmi_bridging {bridging!r} is not supported: only 'no'")
    return missing, bad


def parse(info: Mapping[str, Any], node: str = "?") -> BMC:
    """Turn a node's driver_info into a :class:`BMC`.

    :param info: the node's driver_info.
    :param node: the node's name or UUID, for the error message.
    :returns: the BMC to talk to.
    :raises: InvalidDriverInfo naming every missing and every malformed field; its
        ``kwargs['missing_only']`` is True when nothing is malformed.
    """
    raise_problems(InvalidDriverInfo, node, *find_problems(info))
    priv = info.get("ipmi_priv_level")
    port = info.get("ipmi_port")
    return BMC(
        address=str(info["ipmi_address"]).strip(),
        port=DEFAULT_PORT if port in (None, "") else int(port),
        username=info.get("ipmi_username") or "",
        password=info.get("ipmi_password") or "",
        kg_key=_check_kg(info["ipmi_hex_kg_key"]) if info.get("ipmi_hex_kg_key") else None,
        priv_level=PRIV_LEVELS[str(priv).upper()] if priv not in (None, "") else None,
    )
