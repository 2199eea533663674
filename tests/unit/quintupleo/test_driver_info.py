"""driver_info of tripleo-nova nodes: every missing or bad field named."""

import pytest

from ironic_tripleo.quintupleo import driver_info
from ironic_tripleo.quintupleo.exception import InvalidNovaInfo

AUTH = {"nova_server": "node-0", "nova_auth_url": "http://10.0.0.1:5000/v3",
        "nova_username": "admin", "nova_password": "s3cr3t",
        "nova_project_name": "admin"}


def test_cloud_entry():
    target = driver_info.parse({"nova_server": " node-0 ", "nova_cloud": "qo"})
    assert target.server == "node-0"
    assert target.cloud.name == "qo" and target.cloud.auth == ()


def test_explicit_auth_with_default_domains():
    target = driver_info.parse(AUTH)
    auth = dict(target.cloud.auth)
    assert auth["user_domain_name"] == auth["project_domain_name"] == "Default"
    assert target.cloud.password == "s3cr3t"
    assert "s3cr3t" not in repr(target)


def test_everything_missing_is_named_at_once():
    with pytest.raises(InvalidNovaInfo) as info:
        driver_info.parse({}, node="n1")
    text = str(info.value)
    assert "Node n1" in text and "nova_server" in text and "nova_cloud" in text
    assert info.value.kwargs["missing_only"]


def test_auth_url_needs_each_credential():
    with pytest.raises(InvalidNovaInfo) as info:
        driver_info.parse({"nova_server": "x", "nova_auth_url": "http://k/v3"})
    for field in ("nova_username", "nova_password", "nova_project_name"):
        assert field in str(info.value)


@pytest.mark.parametrize(("change", "named"), [
    ({"nova_auth_url": "keystone:5000"}, "nova_auth_url 'keystone:5000'"),
    ({"nova_cloud": "qo"}, "both given"),
    ({"nova_server": 42}, "nova_server 42"),
    ({"nova_region_name": " "}, "nova_region_name"),
])
def test_bad_fields_are_named(change, named):
    with pytest.raises(InvalidNovaInfo, match=named) as info:
        driver_info.parse({**AUTH, **change})
    assert not info.value.kwargs["missing_only"]


def test_bad_password_type_not_echoed():
    with pytest.raises(InvalidNovaInfo) as info:
        driver_info.parse({**AUTH, "nova_password": 123456789})
    assert "123456789" not in str(info.value) and "nova_password" in str(info.value)
