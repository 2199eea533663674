"""Posting with retries against a real local HTTP server."""

import logging

import pytest

from ramdisk import callback
from ramdisk.exception import CallbackError
from tests.harness.ports import free_port

FAST = callback.RetryPolicy(attempts=4, backoff=0.01, max_backoff=0.05, timeout=5)
PAYLOAD = {"inventory": {"interfaces": [{"mac_address": "52:54:00:aa:bb:01"}]}}


def test_fails_twice_then_accepted(callback_server, caplog):
    callback_server.statuses = [503, 500]
    with caplog.at_level(logging.INFO):
        answer = callback.post(callback_server.url, PAYLOAD, FAST)
    assert answer == {"uuid": "node-1"}
    assert callback_server.bodies == [PAYLOAD] * 3
    assert caplog.text.count("retrying in") == 2
    assert "accepted the inspection data (HTTP 202)" in caplog.text


def test_gives_up_after_attempts(callback_server):
    callback_server.statuses = [503] * 10
    with pytest.raises(CallbackError, match=r"after 4 attempt\(s\): HTTP 503"):
        callback.post(callback_server.url, PAYLOAD, FAST)
    assert len(callback_server.bodies) == 4


def test_client_error_is_final(callback_server):
    callback_server.statuses = [400]
    with pytest.raises(CallbackError, match="HTTP 400"):
        callback.post(callback_server.url, PAYLOAD, FAST)
    assert len(callback_server.bodies) == 1


def test_locked_node_409_is_retried(callback_server):
    callback_server.statuses = [409]
    assert callback.post(callback_server.url, PAYLOAD, FAST) == {"uuid": "node-1"}
    assert len(callback_server.bodies) == 2


def test_connection_refused_is_retried_then_reported():
    url = f"http://127.0.0.1:{free_port()}/v1/continue"
    policy = callback.RetryPolicy(attempts=2, backoff=0.01, timeout=2)
    with pytest.raises(CallbackError, match=r"after 2 attempt\(s\)"):
        callback.post(url, PAYLOAD, policy)
