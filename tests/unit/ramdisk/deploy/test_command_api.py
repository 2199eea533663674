import pytest
import requests

from ramdisk.deploy.command_api import CommandServer
from ramdisk.deploy.exception import NoRootDevice

TOKEN = "tok-" + "x" * 20


class FakeCommands:
    def __init__(self):
        self.calls = []

    def start_iscsi_target(self, params):
        self.calls.append(("start", params))
        if params.get("iqn") == "missing":
            raise NoRootDevice(hints={}, disks="no disks")
        return {"device": "/dev/sda", "iqn": params["iqn"]}

    def stop_iscsi_target(self, params):
        self.calls.append(("stop", params))
        return {"stopped": None}

    def power_off(self, params):
        return {"power_off": "scheduled"}

    def status(self, params):
        return {"target": None}


@pytest.fixture
def server():
    srv = CommandServer(("127.0.0.1", 0), FakeCommands(), TOKEN, "node-1", "v1").start()
    yield srv
    srv.stop()


def test_status_needs_token(server):
    r = requests.get(f"{server.url}/v1/status", timeout=5)
    assert r.status_code == 401 and "X-Agent-Token" in r.json()["error"]["message"]
    r = requests.get(f"{server.url}/v1/status", headers={"X-Agent-Token": "bad"}, timeout=5)
    assert r.status_code == 403
    r = requests.get(f"{server.url}/v1/status", headers={"X-Agent-Token": TOKEN}, timeout=5)
    assert r.json() == {"node": "node-1", "agent_version": "v1", "target": None}


def test_start_with_header_or_body_token(server):
    r = requests.post(f"{server.url}/v1/commands/start_iscsi_target",
                      json={"iqn": "iqn.x"}, headers={"X-Agent-Token": TOKEN}, timeout=5)
    assert r.status_code == 200 and r.json()["device"] == "/dev/sda"
    r = requests.post(f"{server.url}/v1/commands/start_iscsi_target",
                      json={"iqn": "iqn.y", "agent_token": TOKEN}, timeout=5)
    assert r.status_code == 200
    assert server.commands.calls[-1] == ("start", {"iqn": "iqn.y"})  # token not passed on


def test_refused_calls_do_nothing(server):
    for headers in ({}, {"X-Agent-Token": "wrong"}):
        r = requests.post(f"{server.url}/v1/commands/stop_iscsi_target", headers=headers,
                          json={}, timeout=5)
        assert r.status_code in (401, 403)
    assert server.commands.calls == []


def test_ipa_style_and_errors(server):
    h = {"X-Agent-Token": TOKEN}
    r = requests.post(f"{server.url}/v1/commands", headers=h, timeout=5,
                      json={"name": "iscsi.stop_iscsi_target", "params": {}})
    assert r.json() == {"stopped": None}
    r = requests.post(f"{server.url}/v1/commands/start_iscsi_target", headers=h,
                      json={"iqn": "missing"}, timeout=5)
    assert r.status_code == 404 and "root device" in r.json()["error"]["message"]
    r = requests.post(f"{server.url}/v1/commands/format_disk", headers=h, json={}, timeout=5)
    assert r.status_code == 404 and "unknown command" in r.json()["error"]["message"]
    r = requests.post(f"{server.url}/v1/commands/power_off", headers=h, data="[1", timeout=5)
    assert r.status_code == 400
