"""ironic.conf rendering for the standalone Ironic."""

import configparser

from ironic_tripleo.lab.ironic_service import IronicConfig, render_config


def parse(cfg: IronicConfig) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(render_config(cfg))
    return parser


def test_no_glance_section_by_default(tmp_path):
    conf = parse(IronicConfig(workdir=tmp_path, port=7001))
    assert not conf.has_section("glance")
    assert conf["api"]["port"] == "7001"
    assert conf["DEFAULT"]["auth_strategy"] == "noauth"


def test_glance_url_renders_a_keystoneless_glance_section(tmp_path):
    conf = parse(IronicConfig(workdir=tmp_path, glance_url="http://127.0.0.1:9292"))
    assert conf["glance"]["auth_type"] == "none"
    assert conf["glance"]["endpoint_override"] == "http://127.0.0.1:9292"


def test_extra_still_overrides_the_glance_section(tmp_path):
    conf = parse(IronicConfig(workdir=tmp_path, glance_url="http://127.0.0.1:9292",
                              extra={"glance": {"num_retries": "0",
                                                "endpoint_override": "http://[::1]:1"}}))
    assert conf["glance"]["auth_type"] == "none"
    assert conf["glance"]["endpoint_override"] == "http://[::1]:1"
    assert conf["glance"]["num_retries"] == "0"
