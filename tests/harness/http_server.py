"""A stand-in HTTP service for unit and integration tests, served from a thread.

``serving(Handler)`` starts a ``ThreadingHTTPServer`` on a free loopback port, yields
it with its base ``url`` and always shuts it down. Handlers derive from
``QuietHandler``: no request log on stderr, and ``send_json(status, body)``.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing and answers JSON in one call."""

    def log_message(self, *args: object) -> None:
        pass

    def send_json(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_json(self) -> object:
        return json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))


@contextlib.contextmanager
def serving(handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1",
            ) -> Iterator[ThreadingHTTPServer]:
    """Serve ``handler`` on ``host`` (a free port); the server has ``url``."""
    server = ThreadingHTTPServer((host, 0), handler)
    server.url = f"http://{host}:{server.server_address[1]}"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
