"""discoverd's Ironic client when a connection closes before any answer.

A server that closes an idle keep-alive connection just as the client reuses it
makes the request fail with "Remote end closed connection without response"; the
introspection bench saw it once in 1000 payloads against the production-shaped
Ironic's API, and the payload failed. A read is sent again; a write never is (Ironic
may have applied it). Real Ironic behind ``HeldHTTP``, which drops chosen requests
before they reach Ironic.
"""

import uuid as uuidlib

import pytest

from baremetal_common.cloud import connect
from discoverd import exception
from discoverd.ironic import READ_ATTEMPTS, from_conf
from tests.harness.held_http import HeldHTTP

MAC = "52:54:00:d0:00:01"


@pytest.fixture
def node(fake_ironic):
    bm = connect(fake_ironic.url).baremetal
    made = bm.create_node(driver="fake-hardware", name=f"drop-{uuidlib.uuid4().hex[:8]}")
    bm.create_port(node_uuid=made.id, address=MAC)
    yield made.id
    bm.delete_node(made.id)


def test_reads_are_sent_again_writes_are_not(fake_ironic, node):
    bm = connect(fake_ironic.url).baremetal
    with HeldHTTP(fake_ironic.url) as proxy:
        ironic = from_conf(proxy.url, None)
        assert ironic.get_node(node)["id"] == node  # version discovery done, not dropped

        proxy.drop("GET", rf"^/v1/nodes/{node}$", times=READ_ATTEMPTS - 1)
        assert ironic.get_node(node)["id"] == node
        proxy.drop("GET", r"^/v1/ports\?")
        assert [p["address"] for p in ironic.list_ports(node)] == [MAC]
        assert len(proxy.dropped) == READ_ATTEMPTS

        proxy.drop("PATCH", rf"^/v1/nodes/{node}$")
        with pytest.raises(exception.IronicError) as err:
            ironic.patch_node(node, [{"op": "add", "path": "/extra/x", "value": 1}])
        assert "patch_node" in str(err.value) and node in str(err.value)
        assert len(proxy.dropped) == READ_ATTEMPTS + 1  # sent once
        assert "x" not in bm.get_node(node).extra

        proxy.drop("GET", rf"^/v1/nodes/{node}$", times=READ_ATTEMPTS)
        with pytest.raises(exception.IronicError) as err:
            ironic.get_node(node)  # gives up after READ_ATTEMPTS, naming the call
        assert "get_node" in str(err.value)
        assert len(proxy.dropped) == 2 * READ_ATTEMPTS + 1


def test_a_hung_ironic_fails_the_call_by_its_timeout(fake_ironic, node):
    with HeldHTTP(fake_ironic.url) as proxy:
        ironic = from_conf(proxy.url, None, timeout=2)
        assert ironic.get_node(node)["id"] == node  # version discovery done, not held
        proxy.hold("GET", rf"^/v1/nodes/{node}$")
        with pytest.raises(exception.IronicError) as err:
            ironic.get_node(node)
        # it gave up while Ironic's answer was still held: by its own deadline
        still_held, sent = proxy.holding, proxy.held_total
        proxy.release()
    assert "get_node" in str(err.value) and node in str(err.value)
    assert "timed out" in str(err.value).lower(), err.value
    assert still_held == 1, still_held
    assert sent == 1, sent  # a timed-out read is not sent again
