"""The lab's Ironic and discoverd configuration behind an undercloud's Keystone."""

from __future__ import annotations

import configparser
from pathlib import Path

import yaml

from discoverd.conf import new_conf
from ironic_tripleo.lab import keystone_auth, pxe_services
from ironic_tripleo.lab.ironic_service import IronicConfig, render_config

RECORD = {"auth_url": "http://127.0.0.1:5000/v3", "region": "RegionOne",
          "project": "service", "users": {"ironic": "i-pw", "discoverd": "d-pw"},
          "admin": {"username": "admin", "password": "a-pw", "project_name": "admin"},
          "glance_url": "http://127.0.0.1:9292", "clouds_yaml": "/c.yaml",
          "cloud": "undercloud"}
STATE = {"network": {"host_address": "198.51.100.1"}, "discoverd_url": "http://d:5050",
         "ironic_url": "http://i:6385", "boot": {"images": "/img"}}


def _ironic_conf(state: dict) -> configparser.ConfigParser:
    settings = pxe_services.ironic_settings(state)
    conf = configparser.ConfigParser(interpolation=None)
    conf.read_string(render_config(IronicConfig(workdir=Path("/w"), **settings)))
    return conf


def test_ironic_checks_tokens_and_logs_in_to_discoverd_and_glance_as_ironic():
    conf = _ironic_conf(STATE | {"keystone": RECORD})
    assert conf["DEFAULT"]["auth_strategy"] == "keystone"
    # a project-scoped admin token (the undercloud's clouds.yaml) sees every node
    assert conf["oslo_policy"]["enforce_new_defaults"] == "false"
    token = conf["keystone_authtoken"]
    assert (token["auth_type"], token["username"], token["password"]) == (
        "password", "ironic", "i-pw")
    assert token["www_authenticate_uri"] == token["auth_url"] == RECORD["auth_url"]
    discoverd = conf["tripleo_discoverd"]
    assert discoverd["url"] == "http://d:5050"  # the lab's settings are kept
    assert (discoverd["auth_type"], discoverd["username"], discoverd["project_name"]) == (
        "password", "ironic", "service")
    assert conf["glance"]["endpoint_override"] == "http://127.0.0.1:9292"
    assert conf["glance"]["auth_type"] == "password"


def test_a_lab_without_keystone_stays_noauth():
    conf = _ironic_conf(STATE | {"keystone": None})
    assert conf["DEFAULT"]["auth_strategy"] == "noauth"
    assert not conf.has_section("keystone_authtoken")
    assert "auth_type" not in conf["tripleo_discoverd"]
    assert keystone_auth.service_token({"DEFAULT": {"auth_strategy": "noauth"}}) == {}


def test_discoverd_checks_tokens_and_reaches_ironic_through_its_own_cloud(tmp_path):
    text = pxe_services.discoverd_config(tmp_path, "198.51.100.1", 5050, "http://i:6385",
                                         keystone=RECORD)
    (tmp_path / "discoverd.conf").write_text(text)
    conf = new_conf(["--config-file", str(tmp_path / "discoverd.conf")])
    assert conf.auth_strategy == "keystone"
    assert conf.ironic.url is None and conf.ironic.cloud == keystone_auth.DISCOVERD_CLOUD
    assert conf.listen_port == 5050
    raw = configparser.ConfigParser(interpolation=None)
    raw.read_string(text)
    assert (raw["keystone_authtoken"]["username"], raw["keystone_authtoken"]["password"]) \
        == ("discoverd", "d-pw")

    clouds = yaml.safe_load(keystone_auth.write_discoverd_clouds(
        RECORD, tmp_path / "clouds.yaml", "http://i:6385").read_text())
    cloud = clouds["clouds"][keystone_auth.DISCOVERD_CLOUD]
    assert cloud["baremetal_endpoint_override"] == "http://i:6385"
    assert (cloud["auth"]["username"], cloud["auth"]["password"]) == ("discoverd", "d-pw")
    assert (tmp_path / "clouds.yaml").stat().st_mode & 0o077 == 0


def test_noauth_discoverd_reaches_ironic_by_url(tmp_path):
    (tmp_path / "d.conf").write_text(pxe_services.discoverd_config(
        tmp_path, "198.51.100.1", 5050, "http://i:6385"))
    conf = new_conf(["--config-file", str(tmp_path / "d.conf")])
    assert conf.auth_strategy == "noauth" and conf.ironic.url == "http://i:6385"
