"""Free loopback ports for the lab's servers, chosen together so that none repeats.

A port picked by binding to port 0 and released at once can be handed out again by
the next such bind: two services of one plan on one port. Every socket here stays bound
until all the ports of a request are chosen.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Collection


def free_ports(count: int, kind: int = socket.SOCK_STREAM,
               avoid: Collection[int] = ()) -> list[int]:
    """``count`` distinct loopback ports free now (TCP, or UDP with ``SOCK_DGRAM``),
    none of them in ``avoid`` (ports the caller fixed already)."""
    with contextlib.ExitStack() as stack:
        ports: list[int] = []
        while len(ports) < count:
            sock = stack.enter_context(socket.socket(socket.AF_INET, kind))
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
            if port not in avoid:  # the bound socket stays held: the kernel moves on
                ports.append(port)
        return ports
