import socket

import pytest

from ironic_tripleo.lab.ports import free_ports


@pytest.mark.parametrize("kind", [socket.SOCK_STREAM, socket.SOCK_DGRAM])
def test_ports_are_distinct_bindable_and_avoid_the_fixed(kind):
    held = socket.socket(socket.AF_INET, kind)
    held.bind(("127.0.0.1", 0))
    avoided = held.getsockname()[1]
    held.close()  # free again: only `avoid` keeps it out
    for _ in range(50):
        ports = free_ports(40, kind, avoid=[avoided])
        assert len(set(ports)) == 40 and avoided not in ports
    for port in ports:
        with socket.socket(socket.AF_INET, kind) as sock:
            sock.bind(("127.0.0.1", port))
