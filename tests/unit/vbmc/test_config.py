import json
import socket

import pytest

from ironic_tripleo.vbmc.config import build_server, load_config, parse_config
from ironic_tripleo.vbmc.exception import BackendLoadError, BindError, ConfigError, ConfigFileError
from ironic_tripleo.vbmc.memory_backend import MemoryBackend
from tests.harness.ports import free_port


def node(**overrides):
    entry = {"name": "n1", "port": 6230, "username": "admin", "password": "password"}
    entry.update(overrides)
    return {k: v for k, v in entry.items() if v is not None}


def test_defaults(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("nodes:\n - {name: n1, port: 6230, username: u, password: s3cret-pw}\n")
    config = load_config(path)
    (n1,) = config.nodes
    assert (n1.address, n1.backend, n1.backend_args) == ("127.0.0.1", "memory", {})
    assert config.session_timeout == 60 and "s3cret-pw" not in repr(n1)


def test_json_file(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"nodes": [node(backend_args={"power": "on"})],
                                "workers": 2}))
    assert load_config(path).nodes[0].backend_args == {"power": "on"}


@pytest.mark.parametrize(("nodes", "match"), [
    ([node(password=None)], "node n1: field password: required"),
    ([node(username="x" * 17)], "node n1: field username: at most 16 bytes"),
    ([node(password="x" * 21)], "field password: at most 20 bytes"),
    ([node(port=0)], "node n1: field port"),
    ([node(port=True)], "field port"),
    ([node(address="localhost")], "field address: 'localhost' is not an IP"),
    ([node(backend="no-such-backend")],
     "field backend: unknown backend 'no-such-backend'; known: .*memory"),
    ([node(backend_args=[1])], "field backend_args"),
    ([node(colour="red")], "node n1: field colour: unknown field"),
    ([node(), node(name="n2")], "node n2: field port: 127.0.0.1:6230 is also used by node n1"),
    ([node(), node(name="n2", address="0.0.0.0")], "node n2: field port"),  # noqa: S104
    ([node(), node(port=6231)], "node n1: field name: duplicate"),
    ([node(name=None)], "node #0: field name"),
    (["n1"], "node #0"),
    ([node(port=6230.0)], "node n1: field port: 6230.0 is not a port 1-65535"),
    ([node(backend_args={1: "on"})], "node n1: field backend_args: 1 is not a keyword"),
    ([node(name=7)], "node #0: field name: 7 is not a non-empty string"),
])
def test_invalid_nodes(nodes, match):
    with pytest.raises(ConfigError, match=match):
        parse_config({"nodes": nodes})


def test_schema_errors_come_in_document_order():
    nodes = [node(name=f"n{i}", port=6230 + i) for i in range(12)]
    nodes[11]["port"] = "x"
    nodes[2]["username"] = ""
    with pytest.raises(ConfigError) as err:
        parse_config({"nodes": nodes, "workers": 0})
    assert str(err.value) == ("virtual BMC config: node n2: field username: '' is not "
                              "a non-empty string")


def test_two_addresses_may_share_a_port():
    config = parse_config({"nodes": [node(), node(name="n2", address="127.0.0.2")]})
    assert len(config.nodes) == 2


@pytest.mark.parametrize(("document", "match"), [
    ({}, "field nodes"), ([], "field nodes"),
    ({"nodes": [], "extra": 1}, "field extra: unknown"),
    ({"nodes": [], "session_timeout": 0}, "session_timeout"),
    ({"nodes": [], "workers": 0}, "workers"),
])
def test_invalid_documents(document, match):
    with pytest.raises(ConfigError, match=match):
        parse_config(document)


def test_unreadable_file(tmp_path):
    with pytest.raises(ConfigFileError, match="missing.yaml"):
        load_config(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("nodes: [")
    with pytest.raises(ConfigFileError):
        load_config(tmp_path / "bad.yaml")


def test_build_server_loads_backends():
    port = free_port(socket.SOCK_DGRAM)
    config = parse_config({"nodes": [node(port=port, backend_args={"power": "on"})]})
    server = build_server(config)
    try:
        assert isinstance(server.bmc("n1").dispatcher.backend, MemoryBackend)
        assert server.address_of("n1") == ("127.0.0.1", port)
    finally:
        server.stop()


def test_backend_errors_name_the_node():
    config = parse_config({"nodes": [node(backend_args={"colour": "red"})]})
    with pytest.raises(BackendLoadError, match="node n1: backend 'memory'.*colour"):
        build_server(config)


def test_bind_errors_name_the_node():
    config = parse_config({"nodes": [node(address="192.0.2.254")]})
    with pytest.raises(BindError, match="node n1 cannot listen on 192.0.2.254:6230"):
        build_server(config, backend_loader=lambda n: MemoryBackend())
