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
    from tests.harness.http_server import QuietHandler, serving

    recorder = _Recorder()

    class Handler(QuietHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            recorder.bodies.append(self.read_json())
            status = recorder.statuses.pop(0) if recorder.statuses else 202
            self.send_json(status, {"uuid": "node-1"} if status < 400 else
                           {"error": {"message": f"status {status}"}})

    with serving(Handler) as server:
        recorder.url = f"{server.url}/v1/continue"
        yield recorder
