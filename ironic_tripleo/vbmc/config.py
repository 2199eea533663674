"""The server's config file: the nodes, their credentials and backends.

YAML (JSON is YAML too)::

    session_timeout: 60          # optional, seconds an idle session lives
    workers: 16                  # optional, threads running backend calls
    nodes:
      - name: node-0
        address: 127.0.0.1       # optional, the default
        port: 6230
        username: admin
        password: password
        backend: memory          # an ironic_tripleo.vbmc.backends entry point
        backend_args: {power: "off", boot_device: disk}   # its constructor kwargs

Validation errors name the node and the field; backends load through stevedore.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.metadata
import ipaddress
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import stevedore
import yaml

from ironic_tripleo import lab_seam
from ironic_tripleo.vbmc.backend import NodeBackend
from ironic_tripleo.vbmc.exception import BackendLoadError, ConfigError, ConfigFileError
from ironic_tripleo.vbmc.handshake import PASSWORD_MAX, USERNAME_MAX
from ironic_tripleo.vbmc.server import BmcServer

BACKEND_NAMESPACE = "ironic_tripleo.vbmc.backends"
DEFAULT_ADDRESS = "127.0.0.1"
_NODE_FIELDS = {"name", "address", "port", "username", "password", "backend",
                "backend_args"}
_TOP_FIELDS = {"nodes", "session_timeout", "workers"}


@dataclasses.dataclass(frozen=True)
class NodeConfig:
    """One node's virtual BMC."""

    name: str
    port: int
    username: str
    password: str = dataclasses.field(repr=False)
    address: str = DEFAULT_ADDRESS
    backend: str = "memory"
    backend_args: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class ServerConfig:
    """Every node served by one process, and the server's settings."""

    nodes: tuple[NodeConfig, ...]
    session_timeout: float = 60.0
    workers: int = 16


def known_backends() -> list[str]:
    """Names registered in the backend entry-point namespace."""
    return sorted({ep.name for ep in importlib.metadata.entry_points(group=BACKEND_NAMESPACE)})


def load_config(path: str | Path) -> ServerConfig:
    """Read and validate a config file.

    :raises ConfigFileError: when it cannot be read or parsed.
    :raises ConfigError: when a node or field is invalid.
    """
    try:
        document = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigFileError(path=path, reason=exc) from exc
    return parse_config(document)


def _text(node: str, entry: Mapping, field: str, max_bytes: int | None = None) -> str:
    value = entry.get(field)
    if not isinstance(value, str) or not value:
        raise ConfigError(node=node, field=field, reason="required, a non-empty string")
    if max_bytes is not None and len(value.encode()) > max_bytes:
        raise ConfigError(node=node, field=field,
                          reason=f"at most {max_bytes} bytes (IPMI 2.0 limit)")
    return value


def _node(index: int, entry: object, backends: list[str]) -> NodeConfig:
    label = f"#{index}"
    if not isinstance(entry, Mapping):
        raise ConfigError(node=label, field="-", reason="each node must be a mapping")
    if isinstance(entry.get("name"), str) and entry["name"]:
        label = entry["name"]
    name = _text(label, entry, "name")
    unknown = sorted(set(entry) - _NODE_FIELDS)
    if unknown:
        raise ConfigError(node=name, field=unknown[0],
                          reason=f"unknown field; allowed: {', '.join(sorted(_NODE_FIELDS))}")
    port = entry.get("port")
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ConfigError(node=name, field="port", reason=f"{port!r} is not a port 1-65535")
    address = entry.get("address", DEFAULT_ADDRESS)
    try:
        ipaddress.ip_address(address)
    except ValueError as exc:
        raise ConfigError(node=name, field="address",
                          reason=f"{address!r} is not an IP address") from exc
    backend = entry.get("backend", "memory")
    if backend not in backends:
        raise ConfigError(node=name, field="backend",
                          reason=f"unknown backend {backend!r}; known: {', '.join(backends)}")
    if not lab_seam.backend_allowed(backend):
        raise ConfigError(node=name, field="backend",
                          reason=f"backend {backend!r} drives the lab's own nodes; only "
                                 f"the lab may use it ({lab_seam.ENV}=1)")
    args = entry.get("backend_args") or {}
    if not isinstance(args, Mapping) or not all(isinstance(k, str) for k in args):
        raise ConfigError(node=name, field="backend_args",
                          reason="a mapping of keyword arguments")
    return NodeConfig(name=name, port=port, address=address, backend=backend,
                      username=_text(name, entry, "username", USERNAME_MAX),
                      password=_text(name, entry, "password", PASSWORD_MAX),
                      backend_args=dict(args))


def _overlap(a: NodeConfig, b: NodeConfig) -> bool:
    wildcards = ("0.0.0.0", "::")  # noqa: S104 - comparing, not binding
    return a.port == b.port and (a.address == b.address or a.address in wildcards
                                 or b.address in wildcards)


def parse_config(document: object) -> ServerConfig:
    """Validate a parsed config document.

    :raises ConfigError: naming the node and field of the first problem.
    """
    if not isinstance(document, Mapping) or not isinstance(document.get("nodes"), list):
        raise ConfigError(node="-", field="nodes", reason="required, a list of nodes")
    unknown = sorted(set(document) - _TOP_FIELDS)
    if unknown:
        raise ConfigError(node="-", field=unknown[0],
                          reason=f"unknown field; allowed: {', '.join(sorted(_TOP_FIELDS))}")
    backends = known_backends()
    nodes: list[NodeConfig] = []
    for index, entry in enumerate(document["nodes"]):
        node = _node(index, entry, backends)
        for other in nodes:
            if other.name == node.name:
                raise ConfigError(node=node.name, field="name", reason="duplicate name")
            if _overlap(other, node):
                raise ConfigError(node=node.name, field="port",
                                  reason=f"{node.address}:{node.port} is also used by "
                                         f"node {other.name}")
        nodes.append(node)
    timeout = document.get("session_timeout", 60.0)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError(node="-", field="session_timeout", reason="a positive number")
    workers = document.get("workers", 16)
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= 256:
        raise ConfigError(node="-", field="workers", reason="an integer 1-256")
    return ServerConfig(tuple(nodes), float(timeout), workers)


def _raise_load_failure(manager: object, entrypoint: object, exc: BaseException) -> None:
    raise exc


@functools.cache
def _backend_class(name: str) -> type[NodeBackend]:
    # Cached: a thousand nodes share a few plugins, and entry points do not change.
    return stevedore.DriverManager(BACKEND_NAMESPACE, name,
                                   on_load_failure_callback=_raise_load_failure).driver


def load_backend(node: NodeConfig) -> NodeBackend:
    """Instantiate a node's backend with its ``backend_args``.

    :raises BackendLoadError: when the plugin cannot be imported or built.
    """
    try:
        return _backend_class(node.backend)(**node.backend_args)
    except Exception as exc:  # import errors, bad kwargs, the constructor's own checks
        raise BackendLoadError(node=node.name, backend=node.backend,
                               known=", ".join(known_backends()), reason=exc) from exc


def build_server(config: ServerConfig,
                 backend_loader: Callable[[NodeConfig], NodeBackend] = load_backend
                 ) -> BmcServer:
    """A :class:`BmcServer` with every node's backend built and socket bound.

    :raises BackendLoadError: when a backend fails to load.
    :raises BindError: when a node's address cannot be bound.
    """
    server = BmcServer(workers=config.workers)
    try:
        for node in config.nodes:
            server.add_node(node.name, backend_loader(node), node.username, node.password,
                            node.address, node.port, idle_timeout=config.session_timeout)
    except Exception:
        server.stop()
        raise
    return server
