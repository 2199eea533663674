"""IronicClient's hot path: plain REST on the baremetal proxy, sdk error mapping."""

import json
from typing import Any

import pytest
import requests

from discoverd import exception
from discoverd.ironic import IronicClient


def response(status: int, body: Any = None) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp._content = json.dumps(body if body is not None else {}).encode()
    resp.headers["Content-Type"] = "application/json"
    resp.url = "http://ironic/v1/x"
    return resp


class StubProxy:
    """Records ``request`` calls and answers from a queue."""

    def __init__(self, *answers: requests.Response) -> None:
        self.answers = list(answers)
        self.requests: list[tuple[str, str, dict]] = []

    def request(self, url: str, method: str, **kwargs: Any) -> requests.Response:
        self.requests.append((method, url, kwargs))
        return self.answers.pop(0)


class StubConn:
    def __init__(self, proxy: StubProxy) -> None:
        self.baremetal = proxy


def client(*answers: requests.Response) -> tuple[IronicClient, StubProxy]:
    proxy = StubProxy(*answers)
    ironic = IronicClient(StubConn(proxy))
    ironic._microversions.update(Node="1.99", Port="1.98")  # skip version discovery
    return ironic, proxy


def test_list_ports_asks_only_for_the_fields_used_and_follows_pages():
    ironic, proxy = client(
        response(200, {"ports": [{"uuid": "p1", "address": "AA:BB:CC:DD:EE:01",
                                  "pxe_enabled": True}],
                       "next": "http://ironic/v1/ports?marker=p1&node_uuid=n1"}),
        response(200, {"ports": [{"uuid": "p2", "address": "aa:bb:cc:dd:ee:02",
                                  "pxe_enabled": False}]}))
    assert ironic.list_ports("n1") == [
        {"uuid": "p1", "address": "aa:bb:cc:dd:ee:01", "pxe_enabled": True},
        {"uuid": "p2", "address": "aa:bb:cc:dd:ee:02", "pxe_enabled": False}]
    (method, url, kwargs), (_, next_url, next_kwargs) = proxy.requests
    assert (method, url) == ("GET", "/ports")
    assert kwargs["params"] == {"node_uuid": "n1", "fields": "uuid,address,pxe_enabled"}
    assert kwargs["microversion"] == "1.98"
    assert 409 in kwargs["retriable_status_codes"]
    assert next_url.endswith("marker=p1&node_uuid=n1") and next_kwargs["params"] is None


def test_patch_node_is_one_request_and_empty_patches_none():
    ironic, proxy = client(response(200))
    ironic.patch_node("n1", [])
    ironic.patch_node("n1", [{"op": "add", "path": "/properties/cpus", "value": 4}])
    assert [(m, u, k["json"], k["microversion"]) for m, u, k in proxy.requests] == [
        ("PATCH", "/nodes/n1", [{"op": "add", "path": "/properties/cpus", "value": 4}],
         "1.99")]


def test_patch_port_targets_the_port():
    ironic, proxy = client(response(200))
    ironic.patch_port("n1", "p1", [{"op": "replace", "path": "/pxe_enabled", "value": False}])
    assert [(m, u) for m, u, _ in proxy.requests] == [("PATCH", "/ports/p1")]


@pytest.mark.parametrize(("status", "error"), [(404, exception.NodeNotFound),
                                               (400, exception.IronicError),
                                               (409, exception.IronicError)])
def test_errors_map_like_openstacksdk(status, error):
    ironic, _ = client(response(status, {"error_message": json.dumps(
        {"faultstring": "nope", "faultcode": "Client"})}))
    with pytest.raises(error):
        ironic.patch_node("n1", [{"op": "add", "path": "/extra/x", "value": 1}])
