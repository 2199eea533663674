"""http_basic authentication."""

import base64

import bcrypt
import pytest

from discoverd import exception
from discoverd.app import create_app, get_service
from discoverd.auth import read_htpasswd


@pytest.fixture
def basic_client(conf, ironic, tmp_path):
    users = tmp_path / "htpasswd"
    users.write_text("# users\nadmin:" + bcrypt.hashpw(b"pw", bcrypt.gensalt(4)).decode()
                     + "\n")
    conf.set_override("auth_strategy", "http_basic")
    conf.set_override("http_basic_auth_user_file", str(users))
    app = create_app(conf, ironic=ironic)
    yield app.test_client()
    get_service(app).db.dispose()


def header(user, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_protected_and_public(basic_client):
    r = basic_client.get("/v1/rules")
    assert r.status_code == 401 and "Basic" in r.headers["WWW-Authenticate"]
    assert basic_client.get("/v1/rules", headers=header("admin", "no")).status_code == 401
    assert basic_client.get("/v1/rules", headers=header("bob", "pw")).status_code == 401
    assert basic_client.get("/v1/rules", headers={"Authorization": "Basic !!"}
                            ).status_code == 401
    assert basic_client.get("/v1/rules", headers=header("admin", "pw")).status_code == 200
    assert basic_client.get("/").status_code == 200
    assert basic_client.get("/v1").status_code == 200
    assert basic_client.post("/v1/continue", json={"inventory": {"interfaces": []}}
                             ).status_code == 404


def test_bad_htpasswd(tmp_path):
    with pytest.raises(exception.ConfigError, match="cannot be read"):
        read_htpasswd(tmp_path / "missing")
    path = tmp_path / "md5"
    path.write_text("admin:$apr1$abc$def\n")
    with pytest.raises(exception.ConfigError, match="bcrypt"):
        read_htpasswd(path)


@pytest.mark.parametrize("password", ["p" * 73, "é" * 40, "pw" + "x" * 5000])
def test_password_longer_than_bcrypt_reads_is_401(basic_client, password):
    r = basic_client.get("/v1/rules", headers=header("admin", password))
    assert r.status_code == 401, r.json
    assert r.json["error"]["message"] == ("Authentication required: invalid user name or "
                                          "password")


@pytest.mark.parametrize("scheme", ["basic", "BASIC", "bAsIc"])
def test_scheme_is_case_insensitive(basic_client, scheme):
    value = header("admin", "pw")["Authorization"].replace("Basic", scheme)
    assert basic_client.get("/v1/rules", headers={"Authorization": value}).status_code == 200
    assert basic_client.get("/v1/rules", headers={"Authorization": f"  {value}  "}
                            ).status_code == 200


@pytest.mark.parametrize("value", ["Basic", "Basic ", "Bearer abc", "Basicx YWRtaW46cHc=",
                                   "Basic YWRtaW46cHc=x", "Basic \u00e9"])
def test_malformed_headers_are_401(basic_client, value):
    assert basic_client.get("/v1/rules", headers={"Authorization": value}).status_code == 401
