"""The conductor side's lab seam: inert unless the lab turns it on."""

import logging
import types
import warnings

import pytest

from ironic_tripleo import lab_seam
from ironic_tripleo.deploy import initiator_netns
from ironic_tripleo.vbmc import config as vbmc_config
from ironic_tripleo.vbmc.exception import ConfigError

with warnings.catch_warnings():  # Ironic 39 imports eventlet, which warns at import
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    from ironic_tripleo.deploy.interface import CONF, ISCSIDeploy

LAB = {lab_seam.ENV: "1"}


def test_off_without_the_marker():
    assert not lab_seam.enabled({})
    assert not lab_seam.enabled({lab_seam.ENV: "0"})
    assert lab_seam.enabled(LAB)


def test_lab_environment_turns_it_on_and_keeps_the_rest():
    env = lab_seam.lab_environment({"PATH": "/bin"})
    assert env == {"PATH": "/bin", lab_seam.ENV: "1"}
    assert lab_seam.enabled(env)


def test_initiator_netns_ignored_outside_the_lab(caplog):
    with caplog.at_level(logging.WARNING):
        assert lab_seam.initiator_netns("itl-x-cdp", {}) is None
    assert "ignoring [tripleo_deploy] initiator_netns=itl-x-cdp" in caplog.text
    assert lab_seam.initiator_netns("itl-x-cdp", LAB) == "itl-x-cdp"
    assert lab_seam.initiator_netns(None, LAB) is None
    assert lab_seam.initiator_netns("", {}) is None


def test_lab_backends_only_in_the_lab():
    for name in ("lab", "vm"):
        assert not lab_seam.backend_allowed(name, {})
        assert lab_seam.backend_allowed(name, LAB)
    assert lab_seam.backend_allowed("memory", {})


@pytest.fixture
def netns_option():
    CONF.set_override("initiator_netns", "itl-seam-test", group="tripleo_deploy")
    yield
    CONF.clear_override("initiator_netns", group="tripleo_deploy")


def _agent_adapter(monkeypatch, lab: bool):
    if lab:
        monkeypatch.setenv(lab_seam.ENV, "1")
    else:
        monkeypatch.delenv(lab_seam.ENV, raising=False)
    node = types.SimpleNamespace(uuid="n-1", driver_internal_info={
        "agent_url": "http://198.51.100.9:9999", "agent_secret_token": "t"})
    client = ISCSIDeploy()._client(types.SimpleNamespace(node=node))
    return client.session.get_adapter("http://198.51.100.9:9999/")


def test_deploy_interface_reaches_the_namespace_only_through_the_seam(
        monkeypatch, netns_option):
    """A production conductor with initiator_netns set still connects from its own
    namespace; the lab's (marker set) gets the namespace adapter."""
    assert not isinstance(_agent_adapter(monkeypatch, lab=False), initiator_netns._NetnsAdapter)
    assert isinstance(_agent_adapter(monkeypatch, lab=True), initiator_netns._NetnsAdapter)


def test_vbmc_config_refuses_a_lab_backend_outside_the_lab(monkeypatch, tmp_path):
    monkeypatch.delenv(lab_seam.ENV, raising=False)
    path = tmp_path / "vbmc.yaml"
    path.write_text('{"nodes": [{"name": "n1", "port": 6230, "username": "admin", '
                    '"password": "pw", "backend": "lab"}]}')
    with pytest.raises(ConfigError, match="only the lab may use it"):
        vbmc_config.load_config(path)
    monkeypatch.setenv(lab_seam.ENV, "1")
    assert vbmc_config.load_config(path).nodes[0].backend == "lab"


def test_the_lab_starts_its_vbmc_with_the_seam_on(monkeypatch, tmp_path):
    from ironic_tripleo.lab import bmc_process

    seen = {}

    class Popen:
        pid = 4242

        def __init__(self, argv, **kwargs):
            seen.update(kwargs)

    monkeypatch.delenv(lab_seam.ENV, raising=False)
    monkeypatch.setattr(bmc_process.subprocess, "Popen", Popen)
    bmc_process.start(tmp_path / "vbmc.yaml", tmp_path / "vbmc.pid", tmp_path / "vbmc.log")
    assert lab_seam.enabled(seen["env"])
