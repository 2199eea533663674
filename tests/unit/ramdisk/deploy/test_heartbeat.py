import threading

import pytest
import requests

from ramdisk.deploy import heartbeat
from ramdisk.deploy.exception import HeartbeatFailed, LookupFailed
from tests.harness.http_server import QuietHandler, serving


@pytest.fixture
def ironic():
    """A stand-in Ironic answering lookups with ``state['lookup']`` and recording posts."""
    state = {"lookup": (200, {"node": {"uuid": "n-1", "properties": {
        "root_device": {"serial": "S1"}}}, "config": {"agent_token": "t0k",
                                                      "heartbeat_timeout": 30}}),
             "beat": 202, "posts": [], "queries": []}

    class Handler(QuietHandler):
        def do_GET(self):  # noqa: N802
            state["queries"].append(self.path)
            self.send_json(*state["lookup"])

        def do_POST(self):  # noqa: N802
            state["posts"].append((self.path, self.read_json()))
            self.send_json(state["beat"], {} if state["beat"] == 202 else
                           {"error_message": "bad token"})

    with serving(Handler) as server:
        state["url"] = server.url
        yield state


def test_lookup_and_heartbeat(ironic):
    with requests.Session() as s:
        found = heartbeat.lookup(s, ironic["url"], ["52:54:00:00:00:01", "52:54:00:00:00:02"])
        assert found.node_uuid == "n-1" and found.agent_token == "t0k"
        assert found.root_device_hints == {"serial": "S1"} and found.interval() == 9.0
        assert "addresses=52%3A54%3A00%3A00%3A00%3A01%2C52" in ironic["queries"][0]
        assert "t0k" not in repr(found)
        heartbeat.heartbeat(s, ironic["url"], "n-1", "http://198.51.100.7:9999", "t0k")
    path, body = ironic["posts"][0]
    assert path == "/v1/heartbeat/n-1"
    assert body == {"callback_url": "http://198.51.100.7:9999", "agent_token": "t0k",
                    "agent_version": heartbeat.AGENT_VERSION}


@pytest.mark.parametrize("answer", [
    (404, {"error_message": "Not Found"}),
    (200, {"node": {"uuid": "n"}, "config": {"agent_token": "******"}}),
])
def test_lookup_failures(ironic, answer):
    ironic["lookup"] = answer
    with requests.Session() as s, pytest.raises(LookupFailed, match="52:54:00:00:00:01"):
        heartbeat.lookup(s, ironic["url"], ["52:54:00:00:00:01"])


def test_lookup_unreachable():
    with requests.Session() as s, pytest.raises(LookupFailed):
        heartbeat.lookup(s, "http://127.0.0.1:9", ["52:54:00:00:00:01"], timeout=2)


def test_heartbeat_refused_and_heartbeater_counts(ironic):
    ironic["beat"] = 403
    with requests.Session() as s:
        with pytest.raises(HeartbeatFailed, match="bad token"):
            heartbeat.heartbeat(s, ironic["url"], "n-1", "http://x", "t")
        found = heartbeat.LookupResult("n-1", "t", 30)
        beats = heartbeat.Heartbeater(s, ironic["url"], found, "http://x", interval=0.05)
        assert beats.beat() is False and beats.failures == 1
        ironic["beat"] = 202
        beats.start()
        threading.Event().wait(0.3)
        beats.stop()
    assert beats.count >= 2
