"""An HTTP forwarder that can hold chosen requests: a service caught mid-call.

Requests go on to ``target`` unchanged, except those whose method and path match a
hold: they wait (unanswered) until the hold is released. Tests use it to kill a
process while it waits on another service.
"""

from __future__ import annotations

import http.server
import re
import socketserver
import threading

import requests


class HeldHTTP:
    """Forward ``127.0.0.1:<port>`` to ``target``; ``hold(method, path_regex)``."""

    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self._holds: list[tuple[str, re.Pattern]] = []
        self.released = threading.Event()
        self.held = threading.Event()  # set when a request is being held
        forwarder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                forwarder._maybe_hold(self.command, self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "content-length", "connection")}
                answer = requests.request(self.command, forwarder.target + self.path,
                                          data=body, headers=headers, timeout=60)
                try:
                    self._answer(answer)
                except OSError:  # the caller was killed while its call was held
                    pass

            def _answer(self, answer: requests.Response) -> None:
                self.send_response(answer.status_code)
                for key, value in answer.headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding",
                                           "connection", "content-encoding"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

            def log_message(self, *args) -> None:
                pass

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _maybe_hold(self, method: str, path: str) -> None:
        if any(method == m and rx.search(path) for m, rx in self._holds):
            self.held.set()
            self.released.wait(120)

    def hold(self, method: str, path_regex: str) -> None:
        self.released.clear()
        self.held.clear()
        self._holds.append((method, re.compile(path_regex)))

    def release(self) -> None:
        self._holds.clear()
        self.released.set()

    def __enter__(self) -> HeldHTTP:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()
