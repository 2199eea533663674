"""Free loopback ports for servers a test starts (never a fixed port)."""

import socket


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    """Return a loopback port that is free now (TCP by default, UDP with SOCK_DGRAM)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
