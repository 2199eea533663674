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

Validation errors name the node and the field: the structure is checked by the JSON
schema in :mod:`ironic_tripleo.vbmc.schema`, the rest here; backends load through
stevedore.
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
from ironic_tripleo.vbmc import schema
from ironic_tripleo.vbmc.backend import NodeBackend
from ironic_tripleo.vbmc.exception import BackendLoadError, ConfigError, ConfigFileError
from ironic_tripleo.vbmc.handshake import PASSWORD_MAX, USERNAME_MAX
from ironic_tripleo.vbmc.server import BmcServer

BACKEND_NAMESPACE = "ironic_tripleo.vbmc.backends"
DEFAULT_ADDRESS = "127.0.0.1"


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


def _within(node: str, field: str, value: str, max_bytes: int) -> str:
    if len(value.encode()) > max_bytes:
        raise ConfigError(node=node, field=field,
                          reason=f"at most {max_bytes} bytes (IPMI 2.0 limit)")
    return value


def _node(entry: Mapping, backends: list[str]) -> NodeConfig:
    """A node the schema accepted, checked for what is not structure."""
    name = entry["name"]
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
    return NodeConfig(name=name, port=entry["port"], address=address, backend=backend,
                      username=_within(name, "username", entry["username"], USERNAME_MAX),
                      password=_within(name, "password", entry["password"], PASSWORD_MAX),
                      backend_args=dict(entry.get("backend_args") or {}))


def _overlap(a: NodeConfig, b: NodeConfig) -> bool:
    wildcards = ("0.0.0.0", "::")  # noqa: S104 - comparing, not binding
    return a.port == b.port and (a.address == b.address or a.address in wildcards
                                 or b.address in wildcards)


def parse_config(document: object) -> ServerConfig:
    """Validate a parsed config document.

    :raises ConfigError: naming the node and field of the first problem.
    """
    problem = next(schema.errors(document), None)
    if problem is not None:
        node, field, reason = problem
        raise ConfigError(node=node, field=field, reason=reason)
    backends = known_backends()
    nodes: list[NodeConfig] = []
    for entry in document["nodes"]:
        node = _node(entry, backends)
        for other in nodes:
            if other.name == node.name:
                raise ConfigError(node=node.name, field="name", reason="duplicate name")
            if _overlap(other, node):
                raise ConfigError(node=node.name, field="port",
                                  reason=f"{node.address}:{node.port} is also used by "
                                         f"node {other.name}")
        nodes.append(node)
    return ServerConfig(tuple(nodes), float(document.get("session_timeout", 60.0)),
                        document.get("workers", 16))


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
