"""What a BMC's address, port and credentials may be: one check per fact.

Used where a BMC is described: a node's ``driver_info`` (``ipmi.driver_info``), an
inventory to import (``enroll.inventory``) and the virtual BMC (``vbmc``). The
credential limits are IPMI 2.0's (the user name and password fields of RAKP).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

#: IPMI 2.0: user names up to 16 bytes, passwords (and the BMC key) up to 20.
USERNAME_MAX_BYTES = 16
PASSWORD_MAX_BYTES = 20
PORT_MIN, PORT_MAX = 1, 65535

_HOST_RE = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                      r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")


def is_address(text: str) -> bool:
    """Whether ``text`` is an IP address or a DNS host name (not an all-digit one)."""
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return _HOST_RE.match(text) is not None and not text.replace(".", "").isdigit()


def port_number(value: Any) -> int | None:
    """``value`` as a port number (an int, or a string or integral float of one), or
    None when it is not one from :data:`PORT_MIN` to :data:`PORT_MAX`."""
    if isinstance(value, bool):
        return None
    try:
        port = int(value)
    except (TypeError, ValueError):
        return None
    if isinstance(value, float) and value != port:
        return None
    return port if PORT_MIN <= port <= PORT_MAX else None


def fits(value: Any, max_bytes: int) -> bool:
    """Whether ``value`` is a string of at most ``max_bytes`` bytes in UTF-8."""
    return isinstance(value, str) and len(value.encode()) <= max_bytes
