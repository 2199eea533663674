"""The I/O loop: many virtual BMCs, one UDP socket each, one thread (selectors).

Datagrams are handled on the loop thread (parsing, crypto, sessions); machine
commands run on a small thread pool, because a backend may be slow, and their
replies are sent from the loop thread again, woken through a socket pair.

Start ``N`` in-memory BMCs in-process::

    server = BmcServer()
    ports = [server.add_node(f"node-{i}", MemoryBackend(), "admin", "password")
             for i in range(N)]
    server.start()          # background thread; or serve_forever() in this one
    ...
    server.stop()
"""

from __future__ import annotations

import concurrent.futures
import logging
import queue
import resource
import selectors
import socket
import threading
import time

from ironic_tripleo.vbmc.backend import NodeBackend
from ironic_tripleo.vbmc.bmc import PendingCommand, VirtualBmc
from ironic_tripleo.vbmc.commands import Result
from ironic_tripleo.vbmc.exception import BindError

LOG = logging.getLogger(__name__)

MAX_DATAGRAM = 1024
BURST = 64  # datagrams read from one socket before looking at the others
FD_MARGIN = 64  # descriptors kept for everything else (pool, logs, wake pair)


def raise_fd_limit(needed: int) -> int:
    """Raise the soft RLIMIT_NOFILE to ``needed`` if the hard limit allows; return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        soft = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        LOG.info("raised the open files limit to %s for the virtual BMCs", soft)
    return soft


class BmcServer:
    """Serves :class:`VirtualBmc` objects, each on its own UDP address.

    :param workers: threads running backend calls.
    :param tick: seconds between idle-session sweeps (and the longest stop latency).
    """

    def __init__(self, workers: int = 16, tick: float = 1.0) -> None:
        self.tick = tick
        self._selector = selectors.DefaultSelector()
        self._bmcs: dict[str, tuple[VirtualBmc, socket.socket]] = {}
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._done: queue.SimpleQueue[tuple[socket.socket, tuple, VirtualBmc,
                                            PendingCommand, Result]] = queue.SimpleQueue()
        self._executor = concurrent.futures.ThreadPoolExecutor(
            workers, thread_name_prefix="vbmc-backend")
        self._stopping = threading.Event()
        self._running = False
        self._closed = False
        self._thread: threading.Thread | None = None

    def __enter__(self) -> BmcServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def add(self, bmc: VirtualBmc, address: str = "127.0.0.1", port: int = 0) -> int:
        """Listen for ``bmc`` on ``address:port`` (0: any free port); return the port.

        :raises BindError: when the socket cannot be opened or bound.
        :raises ValueError: when a BMC of that name is already served.
        """
        if bmc.name in self._bmcs:
            raise ValueError(f"a virtual BMC named {bmc.name!r} is already served")
        raise_fd_limit(len(self._bmcs) + FD_MARGIN * 2)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        try:
            sock = socket.socket(family, socket.SOCK_DGRAM)
        except OSError as exc:
            raise BindError(node=bmc.name, address=address, port=port, reason=exc) from exc
        try:
            sock.setblocking(False)
            sock.bind((address, port))
        except OSError as exc:
            sock.close()
            raise BindError(node=bmc.name, address=address, port=port, reason=exc) from exc
        self._selector.register(sock, selectors.EVENT_READ, bmc)
        self._bmcs[bmc.name] = (bmc, sock)
        bound = sock.getsockname()[1]
        LOG.debug("virtual BMC %s on %s:%s", bmc.name, address, bound)
        return bound

    def add_node(self, name: str, backend: NodeBackend, username: str | bytes,
                 password: str | bytes, address: str = "127.0.0.1", port: int = 0,
                 **bmc_options: float) -> int:
        """Build a :class:`VirtualBmc` for ``backend`` and :meth:`add` it; return the port."""
        def as_bytes(value: str | bytes) -> bytes:
            return value.encode() if isinstance(value, str) else value

        bmc = VirtualBmc(name, backend, as_bytes(username), as_bytes(password),
                         **bmc_options)
        return self.add(bmc, address, port)

    def address_of(self, name: str) -> tuple[str, int]:
        """The (address, port) a node's BMC listens on."""
        return self._bmcs[name][1].getsockname()[:2]

    def bmc(self, name: str) -> VirtualBmc:
        """The served :class:`VirtualBmc` of a node."""
        return self._bmcs[name][0]

    def __len__(self) -> int:
        return len(self._bmcs)

    def start(self) -> None:
        """Serve in a background (daemon) thread."""
        self._thread = threading.Thread(target=self.serve_forever, name="vbmc-io",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving and close every socket (safe from signal handlers and threads)."""
        self._stopping.set()
        self._wake()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        elif not self._running:
            self._close()  # never served: nobody else will close the sockets

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"\0")
        except (BlockingIOError, OSError):
            pass  # already pending, or closed at shutdown: either way the loop wakes

    def serve_forever(self) -> None:
        """Run the I/O loop in this thread until :meth:`stop`."""
        LOG.info("serving %d virtual BMC(s)", len(self._bmcs))
        next_sweep = time.monotonic() + self.tick
        self._running = True
        try:
            while not self._stopping.is_set():
                events = self._selector.select(self.tick)
                now = time.monotonic()
                for key, _mask in events:
                    if key.data is None:
                        self._drain_completed()
                    else:
                        self._read(key.fileobj, key.data, now)
                if now >= next_sweep:
                    for bmc, _sock in self._bmcs.values():
                        bmc.expire(now)
                    next_sweep = now + self.tick
        finally:
            self._running = False
            self._close()

    def _read(self, sock: socket.socket, bmc: VirtualBmc, now: float) -> None:
        for _ in range(BURST):
            try:
                data, peer = sock.recvfrom(MAX_DATAGRAM)
            except BlockingIOError:
                return
            except OSError as exc:  # e.g. ICMP port unreachable from an earlier reply
                LOG.debug("%s: receive error: %s", bmc.name, exc)
                continue
            try:
                out = bmc.handle(data, peer[:2], now)
            except Exception:
                # A bug must cost one datagram, never the loop serving every node.
                LOG.exception("%s: failed to handle a datagram from %s", bmc.name, peer)
                continue
            if isinstance(out, PendingCommand):
                self._executor.submit(self._run, sock, peer, bmc, out)
            elif out is not None:
                self._send(sock, out, peer, bmc)

    def _run(self, sock: socket.socket, peer: tuple, bmc: VirtualBmc,
             pending: PendingCommand) -> None:
        self._done.put((sock, peer, bmc, pending, bmc.run(pending)))
        self._wake()

    def _drain_completed(self) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except BlockingIOError:
            pass
        while True:
            try:
                sock, peer, bmc, pending, result = self._done.get_nowait()
            except queue.Empty:
                return
            self._send(sock, bmc.complete(pending, result), peer, bmc)

    @staticmethod
    def _send(sock: socket.socket, data: bytes, peer: tuple, bmc: VirtualBmc) -> None:
        try:
            sock.sendto(data, peer)
        except OSError as exc:  # full buffer or gone peer: UDP, the console retries
            LOG.debug("%s: send to %s failed: %s", bmc.name, peer, exc)

    def _close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._executor.shutdown(wait=False, cancel_futures=True)
        for _bmc, sock in self._bmcs.values():
            self._selector.unregister(sock)
            sock.close()
        self._bmcs.clear()
        self._selector.close()
        self._wake_r.close()
        self._wake_w.close()
        LOG.info("virtual BMCs stopped")
