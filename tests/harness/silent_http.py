"""An HTTP service that takes requests and never answers them (a hung API).

``silent_http()`` serves on a free loopback port (``serving`` from
``tests.harness.http_server``) and yields it with ``url`` and ``seen`` (the
``METHOD path`` of each request received); every request is held open until the
context exits, which releases them all and stops the server.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

from tests.harness.http_server import QuietHandler, serving


@contextlib.contextmanager
def silent_http() -> Iterator[ThreadingHTTPServer]:
    """Serve a handler that records each request and holds it unanswered."""
    seen: list[str] = []
    release = threading.Event()

    class Silent(QuietHandler):
        def hold(self) -> None:
            seen.append(f"{self.command} {self.path}")
            release.wait(300)

        do_GET = do_POST = do_PUT = do_DELETE = hold

    with serving(Silent) as server:
        server.seen = seen  # type: ignore[attr-defined]
        try:
            yield server
        finally:
            release.set()
