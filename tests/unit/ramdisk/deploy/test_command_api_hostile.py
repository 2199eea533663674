"""Hostile requests to the real command API server over loopback: always a 4xx JSON answer.

Regression tests for issue 9 item 13: these closed the connection with no HTTP answer
(AttributeError, RecursionError, ValueError) or passed validation with a trailing newline.
"""

import http.client
import json

import pytest

from ramdisk.deploy.command_api import CommandServer
from ramdisk.deploy.commands import DeployCommands

TOKEN = "tok-" + "y" * 24
GOOD = {"iqn": "iqn.2024-01.org.tripleo:node-1", "username": "user-abcdef12",
        "password": "pass-0123456789", "portal_port": 3260}


def _no_disks():
    raise AssertionError("a refused request must never look for disks")


@pytest.fixture
def server():
    commands = DeployCommands("127.0.0.1", _no_disks, power_off_argv=["true"])
    srv = CommandServer(("127.0.0.1", 0), commands, TOKEN, "node-1", "v1").start()
    yield srv
    srv.stop()
    commands.close()


def raw(server, method, path, body=b"", headers=None):
    """Send one request with exactly these headers; return (status, decoded JSON)."""
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
    finally:
        conn.close()
    assert resp.getheader("Content-Type") == "application/json"
    return resp.status, json.loads(data)


def post(server, body, path="/v1/commands/start_iscsi_target", headers=None):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return raw(server, "POST", path, data,
               {"Content-Length": str(len(data)), **(headers or {})})


@pytest.mark.parametrize("token", [1, ["x"], {"a": 1}, True, None, 0.5])
def test_non_string_body_token_is_refused(server, token):
    status, body = post(server, {"agent_token": token, **GOOD})
    assert status in (400, 401, 403)
    assert "token" in body["error"]["message"]


def test_header_token_checked_before_the_body(server):
    # a wrong header token is refused even when the body is not JSON at all
    status, body = post(server, b"{not json", headers={"X-Agent-Token": "wrong"})
    assert status == 403 and body["error"]["message"] == "wrong agent token"


@pytest.mark.parametrize("depth", [200, 5000])
def test_deeply_nested_body(server, depth):
    deep = b'{"agent_token": "%s", "x": ' % TOKEN.encode() + b"[" * depth + b"]" * depth + b"}"
    status, body = post(server, deep)
    assert status == 400 and "nested" in body["error"]["message"]
    deep = b"[" * depth + b"]" * depth
    status, body = post(server, deep, headers={"X-Agent-Token": TOKEN})
    assert status == 400


@pytest.mark.parametrize("length", ["abc", "-5", "1e3", " "])
def test_bad_content_length(server, length):
    status, body = raw(server, "POST", "/v1/commands/power_off", b"{}",
                       {"Content-Length": length, "X-Agent-Token": TOKEN})
    assert status == 400 and "Content-Length" in body["error"]["message"]


def test_body_too_large(server):
    status, body = raw(server, "POST", "/v1/commands/power_off", b"",
                       {"Content-Length": str(10 ** 9), "X-Agent-Token": TOKEN})
    assert status == 413


@pytest.mark.parametrize("params", ["str", 1, ["a"], True])
def test_ipa_style_params_must_be_an_object(server, params):
    status, body = post(server, {"name": "iscsi.start_iscsi_target", "params": params},
                        path="/v1/commands", headers={"X-Agent-Token": TOKEN})
    assert status == 400 and "params" in body["error"]["message"]


@pytest.mark.parametrize("name", [1, ["a"], {"x": 1}, None])
def test_ipa_style_name_must_be_a_string(server, name):
    status, body = post(server, {"name": name, "params": {}}, path="/v1/commands",
                        headers={"X-Agent-Token": TOKEN})
    assert status in (400, 404) and "name" in body["error"]["message"]


@pytest.mark.parametrize("field", ["iqn", "username", "password", "initiator"])
def test_trailing_newline_is_refused(server, field):
    value = GOOD.get(field, "ALL") + "\n"
    status, body = post(server, {**GOOD, field: value}, headers={"X-Agent-Token": TOKEN})
    assert status == 400 and field in body["error"]["message"]


def test_good_token_in_body_still_works(server):
    status, body = raw(server, "GET", "/v1/status", headers={"X-Agent-Token": TOKEN})
    assert status == 200 and body["node"] == "node-1"
    status, body = post(server, {"agent_token": TOKEN}, path="/v1/commands/stop_iscsi_target")
    assert status == 200 and body == {"stopped": None}
