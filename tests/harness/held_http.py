"""An HTTP forwarder that can hold or drop chosen requests: a service caught mid-call.

Requests go on to ``target`` unchanged, except those whose method and path match a
hold: they wait (unanswered) until the hold is released (tests kill a process while
it waits on another service); and those that match a drop: the connection is closed
without an answer and the request never reaches ``target`` (what a client sees when
a server closes an idle keep-alive connection as the client reuses it).
"""

from __future__ import annotations

import contextlib
import re
import threading

import requests

from tests.harness.http_server import QuietHandler, serving

#: Headers the forwarder sets itself (the body is passed on whole).
_HOP_HEADERS = ("host", "content-length", "connection", "transfer-encoding",
                "content-encoding")


class HeldHTTP:
    """Forward ``url`` (a free loopback port) to ``target``; ``hold(method, path_regex)``."""

    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self._holds: list[tuple[str, re.Pattern]] = []
        self._drops: list[list] = []  # [method, path regex, how many more to drop]
        self.dropped: list[str] = []  # "METHOD path" of each dropped request
        self._lock = threading.Lock()
        self.released = threading.Event()
        self.held = threading.Event()  # set when a request is being held
        self.holding = 0  # requests held now (not yet released)
        self.held_total = 0  # requests held since hold()
        self._stack = contextlib.ExitStack()
        self.url = ""

    def _handler(self) -> type[QuietHandler]:
        forwarder = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                if forwarder._should_drop(self.command, self.path):
                    self.close_connection = True  # no status line: the socket closes
                    return
                forwarder._maybe_hold(self.command, self.path)
                length = int(self.headers.get("Content-Length") or 0)
                answer = requests.request(
                    self.command, forwarder.target + self.path,
                    data=self.rfile.read(length) if length else None,
                    headers={k: v for k, v in self.headers.items()
                             if k.lower() not in _HOP_HEADERS}, timeout=60)
                try:
                    self.send_response(answer.status_code)
                    for key, value in answer.headers.items():
                        if key.lower() not in _HOP_HEADERS:
                            self.send_header(key, value)
                    self.send_header("Content-Length", str(len(answer.content)))
                    self.end_headers()
                    self.wfile.write(answer.content)
                except OSError:  # the caller was killed while its call was held
                    pass

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

        return Handler

    def _maybe_hold(self, method: str, path: str) -> None:
        if any(method == m and rx.search(path) for m, rx in self._holds):
            with self._lock:
                self.holding += 1
                self.held_total += 1
            self.held.set()
            self.released.wait(120)
            with self._lock:
                self.holding -= 1

    def _should_drop(self, method: str, path: str) -> bool:
        with self._lock:
            for drop in self._drops:
                if drop[2] > 0 and method == drop[0] and drop[1].search(path):
                    drop[2] -= 1
                    self.dropped.append(f"{method} {path}")
                    return True
        return False

    def drop(self, method: str, path_regex: str, times: int = 1) -> None:
        """Close the connection, unanswered, on the next ``times`` matching requests."""
        with self._lock:
            self._drops.append([method, re.compile(path_regex), times])

    def hold(self, method: str, path_regex: str) -> None:
        self.released.clear()
        self.held.clear()
        self.held_total = 0
        self._holds.append((method, re.compile(path_regex)))

    def release(self) -> None:
        self._holds.clear()
        self.released.set()

    def __enter__(self) -> HeldHTTP:
        self.url = self._stack.enter_context(serving(self._handler())).url
        return self

    def __exit__(self, *exc) -> None:
        self.release()  # held handlers end before the server's shutdown waits on them
        self._stack.close()
