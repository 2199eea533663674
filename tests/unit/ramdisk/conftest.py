"""Fixtures for the ramdisk agent's unit tests: the sample data directory, a callback server."""

from pathlib import Path

import pytest

from tests.harness.ramdisk_samples import DATA


@pytest.fixture
def data_dir() -> Path:
    return DATA


class _Recorder:
    """What the local callback server received and will answer."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.bodies: list[dict] = []
        self.url = ""


@pytest.fixture
def callback_server():
    """A local HTTP server: answers each POST with the next of ``statuses`` (then 202).

    Yields a recorder with ``url``, ``statuses`` (to fill) and ``bodies`` (received).
    """
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    recorder = _Recorder()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length", 0))
            recorder.bodies.append(json.loads(self.rfile.read(length)))
            status = recorder.statuses.pop(0) if recorder.statuses else 202
            body = json.dumps({"uuid": "node-1"} if status < 400 else
                              {"error": {"message": f"status {status}"}}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}/v1/continue"
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
