"""processing.read_node: the node and its ports are read from Ironic together."""

import threading

import pytest

from discoverd import exception
from discoverd.processing import read_node
from tests.harness.fake_ironic import FakeIronic


class MeetingIronic(FakeIronic):
    """Both reads wait at one barrier: it breaks unless they are in flight together."""

    def __init__(self) -> None:
        super().__init__()
        self.barrier = threading.Barrier(2, timeout=30)  # a bound, not a timing

    def get_node(self, ident):
        self.barrier.wait()
        return super().get_node(ident)

    def list_ports(self, node):
        self.barrier.wait()
        return super().list_ports(node)


def test_node_and_ports_are_read_together():
    ironic = MeetingIronic()
    uuid = ironic.add_node(macs=("52:54:00:00:00:01", "52:54:00:00:00:02"),
                           properties={"cpus": "2"})
    info = read_node(ironic, uuid)
    assert info.uuid == uuid
    assert info.node["properties"] == {"cpus": "2"}
    assert sorted(info.ports) == ["52:54:00:00:00:01", "52:54:00:00:00:02"]


def test_the_node_read_error_wins_over_the_ports_one():
    ironic = FakeIronic()

    def ports_fail(node):
        raise exception.IronicError(call="ports", node=node, reason="boom")
    ironic.list_ports = ports_fail
    with pytest.raises(exception.NodeNotFound):
        read_node(ironic, "6b2b5a43-3a1f-4a0e-9d4b-2f0a8f0c1d11")


def test_a_ports_read_error_is_raised():
    ironic = FakeIronic()
    uuid = ironic.add_node()

    def ports_fail(node):
        raise exception.IronicError(call="ports", node=node, reason="boom")
    ironic.list_ports = ports_fail
    with pytest.raises(exception.IronicError, match="boom"):
        read_node(ironic, uuid)
