import subprocess

import pytest

from ironic_tripleo.lab import overcloud
from ironic_tripleo.lab.exception import OvercloudError


def fake_openstack(create_rc, create_err, show_rc, show_out="{}", show_err=""):
    def run(_clouds, *argv, timeout=900):
        if argv[:2] == ("stack", "create"):
            return subprocess.CompletedProcess(argv, create_rc, "", create_err)
        return subprocess.CompletedProcess(argv, show_rc, show_out, show_err)
    return run


def test_a_failed_create_without_a_stack_names_the_creates_error(monkeypatch, tmp_path):
    monkeypatch.setattr(overcloud, "openstack", fake_openstack(
        1, "ERROR: The Keystone service is temporarily unavailable", 1,
        show_err="Stack not found: s1"))
    with pytest.raises(OvercloudError) as err:
        overcloud.create_stack(tmp_path / "clouds.yaml", "s1", [], {})
    assert "stack create s1 exited with 1" in str(err.value)
    assert "temporarily unavailable" in str(err.value) and "Stack not found" in str(err.value)


def test_a_failed_stack_is_shown_as_it_is(monkeypatch, tmp_path):
    monkeypatch.setattr(overcloud, "openstack", fake_openstack(
        1, "Stack s1 CREATE_FAILED", 0, show_out='{"stack_status": "CREATE_FAILED"}'))
    shown = overcloud.create_stack(tmp_path / "clouds.yaml", "s1", [], {})
    assert shown == {"stack_status": "CREATE_FAILED"}


def test_a_refused_update_names_the_updates_error(monkeypatch, tmp_path):
    def run(_clouds, *argv, timeout=900):
        if argv[:2] == ("stack", "update"):
            return subprocess.CompletedProcess(argv, 1, "", "ERROR: Invalid parameter")
        return subprocess.CompletedProcess(argv, 1, "", "Stack not found: s1")
    monkeypatch.setattr(overcloud, "openstack", run)
    with pytest.raises(OvercloudError) as err:
        overcloud.update_stack(tmp_path / "clouds.yaml", "s1", {"ComputeCount": 1})
    assert "stack update s1 exited with 1" in str(err.value)
    assert "Invalid parameter" in str(err.value)


def test_the_stack_is_shown_without_resolving_outputs(monkeypatch, tmp_path):
    seen = []

    def run(_clouds, *argv, timeout=900):
        seen.append(argv)
        return subprocess.CompletedProcess(argv, 0, '{"stack_status": "X"}', "")
    monkeypatch.setattr(overcloud, "openstack", run)
    assert overcloud.show_stack(tmp_path / "clouds.yaml", "s1") == {"stack_status": "X"}
    assert "--no-resolve-outputs" in seen[0]
