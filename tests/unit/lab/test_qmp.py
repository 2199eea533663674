"""The QMP client against a fake QMP server on a unix socket."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import pytest

from ironic_tripleo.lab import qmp

GREETING = {"QMP": {"version": {"qemu": {"major": 7}}, "capabilities": []}}


class FakeQmp:
    """Answers per ``script``: command name -> list of messages to send back."""

    def __init__(self, path: Path, script: dict, greeting: object = GREETING) -> None:
        self.path = path
        self.script = script
        self.greeting = greeting
        self.received: list[dict] = []
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path) if len(str(path)) < 100 else path.name)
        self.server.listen(1)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.server.accept()
        with conn, conn.makefile("rb") as reader:
            conn.sendall(json.dumps(self.greeting).encode() + b"\r\n")
            for line in reader:
                request = json.loads(line)
                self.received.append(request)
                for message in self.script.get(request["execute"], [{"return": {}}]):
                    if message == "close":
                        return
                    conn.sendall(json.dumps(message).encode() + b"\r\n")

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def fake(tmp_path):
    servers = []

    def start(script, **kw):
        server = FakeQmp(tmp_path / "qmp.sock", script, **kw)
        servers.append(server)
        return server
    yield start
    for server in servers:
        server.close()


def test_negotiates_then_returns_the_answer_skipping_events(fake, tmp_path):
    server = fake({"query-status": [
        {"event": "RESET", "data": {"guest": True}},
        {"return": {"status": "running", "running": True}}]})
    with qmp.QmpClient(tmp_path / "qmp.sock") as client:
        assert client.execute("query-status") == {"status": "running", "running": True}
    assert [r["execute"] for r in server.received] == ["qmp_capabilities", "query-status"]


def test_error_answer_names_class_and_description(fake, tmp_path):
    fake({"system_reset": [{"error": {"class": "GenericError", "desc": "no way"}}]})
    with pytest.raises(qmp.QmpError) as exc:
        qmp.command(tmp_path / "qmp.sock", "system_reset")
    assert "system_reset" in str(exc.value) and "GenericError: no way" in str(exc.value)


def test_not_a_qmp_greeting(fake, tmp_path):
    fake({}, greeting={"hello": 1})
    with pytest.raises(qmp.QmpError, match="not a QMP greeting"):
        qmp.command(tmp_path / "qmp.sock", "query-status")


def test_connection_closed_before_the_answer(fake, tmp_path):
    fake({"system_powerdown": ["close"]})
    with pytest.raises(qmp.QmpError, match="closed the connection"):
        qmp.command(tmp_path / "qmp.sock", "system_powerdown")


def test_no_answer_times_out(fake, tmp_path):
    fake({"query-status": []})
    with pytest.raises(qmp.QmpError, match="timed out"):
        qmp.command(tmp_path / "qmp.sock", "query-status", timeout=0.3)


def test_no_socket(tmp_path):
    with pytest.raises(qmp.QmpError, match="connect"):
        qmp.command(tmp_path / "missing.sock", "query-status")


def test_a_path_longer_than_sun_path_is_reached_through_its_directory(tmp_path, monkeypatch):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)  # the fake binds the relative name, as qemu does
    server = FakeQmp(deep / "qmp.sock", {"query-status": [{"return": {"status": "paused"}}]})
    try:
        assert len(str(deep / "qmp.sock")) > qmp.SUN_PATH_MAX
        assert qmp.command(deep / "qmp.sock", "query-status") == {"status": "paused"}
    finally:
        server.close()
