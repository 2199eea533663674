"""The discoverd HTTP client: requests made, errors mapped."""

import json

import pytest
import requests

from ironic_tripleo.exception import DiscoverdAPIError
from ironic_tripleo.inspect.discoverd_client import VERSION_HEADER, DiscoverdClient


def response(status: int, body: object = None) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp._content = b"" if body is None else json.dumps(body).encode()
    return resp


@pytest.fixture
def request_mock(mocker):
    return mocker.patch.object(requests.Session, "request", autospec=True)


def test_start_posts_without_manage_boot(request_mock):
    request_mock.return_value = response(202)
    client = DiscoverdClient("http://d:5050/", timeout=3)
    client.start("u1")
    _, method, url = request_mock.call_args.args
    assert (method, url) == ("POST", "http://d:5050/v1/introspection/u1")
    assert request_mock.call_args.kwargs["params"] == {"manage_boot": "false"}
    assert request_mock.call_args.kwargs["timeout"] == 3
    assert request_mock.call_args.kwargs["headers"][VERSION_HEADER] == "1.18"
    assert client.callback_url == "http://d:5050/v1/continue"


def test_status_parsed(request_mock):
    request_mock.return_value = response(200, {"uuid": "u1", "state": "error",
                                               "finished": True, "error": "boom"})
    status = DiscoverdClient("http://d").status("u1")
    assert status.finished and status.error == "boom" and status.state == "error"


def test_error_carries_status_and_message(request_mock):
    request_mock.return_value = response(409, {"error": {"message": "not running"}})
    with pytest.raises(DiscoverdAPIError) as err:
        DiscoverdClient("http://d").abort("u1")
    assert err.value.status == 409
    assert "not running" in str(err.value) and "u1" in str(err.value)
    # discoverd answered: the hint about a wrong URL or a stopped service would mislead.
    assert "is running" not in str(err.value)


def test_unreachable_has_no_status(request_mock):
    request_mock.side_effect = requests.ConnectionError("refused")
    with pytest.raises(DiscoverdAPIError) as err:
        DiscoverdClient("http://d").status("u1")
    assert err.value.status is None
    assert "http://d" in str(err.value) and "refused" in str(err.value)
    assert "check [tripleo_discoverd]url" in str(err.value)


def test_session_auth_plugin_adds_credentials(request_mock):
    from keystoneauth1 import session as ks_session
    from keystoneauth1.http_basic import HTTPBasicAuth

    request_mock.return_value = response(202)
    auth = HTTPBasicAuth(username="ironic", password="s3cret")
    DiscoverdClient("http://d", session=ks_session.Session(auth=auth)).start("u1")
    headers = request_mock.call_args.kwargs["headers"]
    assert headers["Authorization"] == "Basic aXJvbmljOnMzY3JldA=="  # ironic:s3cret
