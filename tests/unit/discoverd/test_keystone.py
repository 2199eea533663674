"""``auth_strategy = keystone``: auth_token middleware (token validation faked by
keystonemiddleware's own fixture) and the role check."""

import uuid

import pytest
from keystonemiddleware.fixture import AuthTokenFixture

from discoverd.app import create_app, get_service
from discoverd.keystone import RoleCheck
from tests.harness.discoverd_payloads import ramdisk_payload


@pytest.fixture
def tokens():
    fixture = AuthTokenFixture()
    fixture.setUp()
    yield fixture
    fixture.cleanUp()


@pytest.fixture
def keystone_client(conf, ironic, tokens):
    conf.set_override("auth_strategy", "keystone")
    conf.set_override("www_authenticate_uri", "http://keystone.invalid:5000/v3",
                      group="keystone_authtoken")
    app = create_app(conf, ironic=ironic)
    app.config["TESTING"] = True
    yield app.test_client()
    get_service(app).db.dispose()


def token(tokens, *roles: str) -> dict[str, str]:
    token_id = uuid.uuid4().hex  # add_token_data does not return the id it makes up
    tokens.add_token_data(token_id=token_id, user_name="alice", user_id="u1",
                          project_id="p1", role_list=list(roles))
    return {"X-Auth-Token": token_id}


def test_no_token_is_401_with_keystone_challenge(keystone_client):
    r = keystone_client.get("/v1/introspection")
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Keystone uri="http://keystone.invalid:5000/v3"'
    assert "X-Auth-Token" in r.json["error"]["message"]


def test_invalid_token_is_401(keystone_client):
    r = keystone_client.get("/v1/introspection", headers={"X-Auth-Token": "bogus"})
    assert r.status_code == 401


def test_wrong_role_is_403(keystone_client, tokens):
    r = keystone_client.get("/v1/introspection", headers=token(tokens, "member", "reader"))
    assert r.status_code == 403
    assert "alice" in r.json["error"]["message"]
    assert "baremetal_admin" in r.json["error"]["message"]


@pytest.mark.parametrize("role", ["admin", "baremetal_admin", "Admin"])
def test_allowed_role_is_200(keystone_client, tokens, role):
    r = keystone_client.get("/v1/introspection", headers=token(tokens, "member", role))
    assert r.status_code == 200, r.json


def test_forged_identity_headers_are_stripped(keystone_client):
    r = keystone_client.get("/v1/introspection", headers={
        "X-Identity-Status": "Confirmed", "X-Roles": "admin", "X-User-Name": "mallory"})
    assert r.status_code == 401


def test_versions_and_continue_are_public(keystone_client):
    assert keystone_client.get("/").status_code == 200
    assert keystone_client.get("/v1").status_code == 200
    r = keystone_client.post("/v1/continue", json=ramdisk_payload(["52:54:00:00:00:99"]))
    assert r.status_code == 404  # reached the lookup: no node under introspection


def test_role_check_configurable():
    check = RoleCheck(["operator"])
    headers = {"X-Identity-Status": "Confirmed", "X-Roles": "reader,Operator",
               "X-User-Name": "bob"}
    assert check.check(headers) == "bob"
