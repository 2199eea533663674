"""The conductor's data plane in a named network namespace (``[tripleo_deploy]
initiator_netns``).

On a real conductor the deploy ramdisk is reachable from the conductor's own
namespace and this is unused. In the lab (and on hosts where the provisioning network
is only reachable from a dedicated namespace) every connection the conductor opens
towards a deploy ramdisk starts inside that namespace:

- the writer's ``qemu-img`` (iSCSI initiator) runs as ``ip netns exec NS qemu-img``;
- the agent command API client creates its sockets in NS (``socket_in``): the calling
  thread enters NS with ``setns(2)``, creates the socket and returns to its own
  namespace before doing anything else, so no other code (green thread or not) ever
  runs in NS. A socket stays in the namespace it was created in.

Entering a namespace needs CAP_SYS_ADMIN (the lab runs as root).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import socket
import threading
from collections.abc import Iterator

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.exceptions import NewConnectionError

from ironic_tripleo.exception import NetnsError

NETNS_DIR = "/run/netns"
CLONE_NEWNET = 0x40000000
_LIBC = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
_SETNS_LOCK = threading.Lock()


def argv(netns: str | None, command: list[str]) -> list[str]:
    """Return ``command`` run in ``netns`` (unchanged when ``netns`` is empty)."""
    return ["ip", "netns", "exec", netns, *command] if netns else list(command)


def _setns(fd: int, netns: str) -> None:
    if _LIBC.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise NetnsError(netns=netns, reason=f"setns: {os.strerror(err)}")


@contextlib.contextmanager
def _entered(netns: str) -> Iterator[None]:
    try:
        target = os.open(os.path.join(NETNS_DIR, netns), os.O_RDONLY)
    except OSError as exc:
        raise NetnsError(netns=netns, reason=str(exc)) from exc
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        with _SETNS_LOCK:
            _setns(target, netns)
            try:
                yield
            finally:
                _setns(own, "(own)")
    finally:
        os.close(target)
        os.close(own)


def socket_in(netns: str, family: int = socket.AF_INET,
              kind: int = socket.SOCK_STREAM) -> socket.socket:
    """Return a new socket that belongs to namespace ``netns``.

    :raises NetnsError: the namespace does not exist or cannot be entered.
    """
    with _entered(netns):
        return socket.socket(family, kind)


class _NetnsHTTPConnection(HTTPConnection):
    netns = ""

    def _new_conn(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self._dns_host else socket.AF_INET
        sock = socket_in(self.netns, family)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(self.timeout if isinstance(self.timeout, (int, float)) else None)
            sock.connect((self._dns_host, self.port))
        except OSError as exc:
            sock.close()
            raise NewConnectionError(self, f"Failed to establish a new connection in "
                                           f"namespace {self.netns}: {exc}") from exc
        return sock


class _NetnsAdapter(HTTPAdapter):
    def __init__(self, netns: str) -> None:
        self._netns = netns
        super().__init__()

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        super().init_poolmanager(*args, **kwargs)  # type: ignore[arg-type]
        conn_cls = type("NetnsHTTPConnection", (_NetnsHTTPConnection,),
                        {"netns": self._netns})
        pool_cls = type("NetnsHTTPConnectionPool", (HTTPConnectionPool,),
                        {"ConnectionCls": conn_cls})
        self.poolmanager.pool_classes_by_scheme = {"http": pool_cls}
        self.poolmanager.key_fn_by_scheme = {
            "http": self.poolmanager.key_fn_by_scheme["http"]}


def session(netns: str | None) -> requests.Session:
    """A requests session whose plain-HTTP connections start in ``netns``."""
    s = requests.Session()
    if netns:
        s.trust_env = False  # no proxy: the connection must leave from the namespace
        s.mount("http://", _NetnsAdapter(netns))  # the deploy agent speaks plain HTTP
    return s
