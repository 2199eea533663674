"""The discoverd client over openstacksdk's proxy: requests made, errors mapped.

``requests.Session.request`` is replaced by a function that answers the version
discovery (``GET /`` or ``/v1``) like discoverd and the call under test with ``answer``.
"""

import json

import pytest
import requests

from ironic_tripleo.exception import DiscoverdAPIError, DiscoverdRefused
from ironic_tripleo.inspect.discoverd_client import API_VERSION, VERSION_HEADER, DiscoverdClient


def response(status: int, body: object = None) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp.reason = "reason"
    resp.headers["Content-Type"] = "application/json"
    resp._content = b"" if body is None else json.dumps(body).encode()
    return resp


class Discoverd:
    """Answers the version document at the root, ``answer`` elsewhere; records calls."""

    def __init__(self, answer: requests.Response) -> None:
        self.answer = answer
        self.calls: list[tuple[str, str, dict]] = []

    def __call__(self, session, method, url, **kwargs):
        if method == "GET" and url.rstrip("/") in ("http://d:5050", "http://d:5050/v1"):
            return response(200, {"versions": [{"id": "1.18", "status": "CURRENT", "links": [
                {"href": "http://d:5050/v1", "rel": "self"}]}]})
        self.calls.append((method, url, kwargs))
        return self.answer


@pytest.fixture
def discoverd(mocker):
    def install(answer):
        fake = Discoverd(answer)
        mocker.patch.object(requests.Session, "request", autospec=True, side_effect=fake)
        return fake
    return install


def test_start_posts_without_manage_boot(discoverd):
    fake = discoverd(response(202))
    client = DiscoverdClient("http://d:5050/", timeout=3)
    client.start("u1")
    (method, url, kwargs), (then, status_url, _) = fake.calls  # the SDK reads it back
    assert (then, status_url) == ("GET", "http://d:5050/v1/introspection/u1")
    assert (method, url.split("?")[0]) == ("POST", "http://d:5050/v1/introspection/u1")
    assert kwargs["params"] == {"manage_boot": False}  # discoverd reads "False" as false
    assert kwargs["timeout"] == 3
    assert kwargs["headers"][VERSION_HEADER] == API_VERSION
    assert client.callback_url == "http://d:5050/v1/continue"


def test_status_parsed(discoverd):
    discoverd(response(200, {"uuid": "u1", "state": "error", "finished": True,
                             "error": "boom"}))
    status = DiscoverdClient("http://d:5050").status("u1")
    assert status.is_finished and status.error == "boom" and status.state == "error"


def test_abort_posts_abort(discoverd):
    fake = discoverd(response(202))
    DiscoverdClient("http://d:5050").abort("u1")
    assert [(m, u) for m, u, _ in fake.calls] == [
        ("POST", "http://d:5050/v1/introspection/u1/abort")]


def test_error_carries_status_and_message(discoverd, mocker):
    fake = discoverd(response(409, {"error": {"message": "not running"}}))
    # discoverd's 409 (not running) is final: one request, no back-off (the SDK's own
    # abort_introspection retried it five times, 15.5 s, holding the conductor).
    sleep = mocker.patch("keystoneauth1.session.time.sleep", autospec=True)
    with pytest.raises(DiscoverdRefused) as err:
        DiscoverdClient("http://d:5050").abort("u1")
    assert len(fake.calls) == 1 and sleep.call_count == 0
    assert fake.calls[0][:2] == ("POST", "http://d:5050/v1/introspection/u1/abort")
    assert err.value.status == 409
    assert "not running" in str(err.value) and "u1" in str(err.value)
    # discoverd answered: the hint about a wrong URL or a stopped service would mislead.
    assert "is running" not in str(err.value)


def test_not_found_is_404(discoverd):
    discoverd(response(404, {"error": {"message": "No introspection of node u1"}}))
    with pytest.raises(DiscoverdRefused) as err:
        DiscoverdClient("http://d:5050").status("u1")
    assert err.value.status == 404 and "No introspection of node u1" in str(err.value)


def test_unreachable_has_no_status(mocker):
    mocker.patch.object(requests.Session, "request", autospec=True,
                        side_effect=requests.ConnectionError("refused"))
    with pytest.raises(DiscoverdAPIError) as err:
        DiscoverdClient("http://d:5050").status("u1")
    assert not isinstance(err.value, DiscoverdRefused)
    assert err.value.status is None
    assert "http://d:5050" in str(err.value)
    assert "check [tripleo_discoverd]url" in str(err.value)


def test_session_auth_plugin_adds_credentials(discoverd):
    from keystoneauth1 import session as ks_session
    from keystoneauth1.http_basic import HTTPBasicAuth

    fake = discoverd(response(202))
    auth = HTTPBasicAuth(username="ironic", password="s3cret")
    DiscoverdClient("http://d:5050", session=ks_session.Session(auth=auth)).start("u1")
    headers = fake.calls[0][2]["headers"]
    assert headers["Authorization"] == "Basic aXJvbmljOnMzY3JldA=="  # ironic:s3cret
