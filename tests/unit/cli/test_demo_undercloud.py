"""``demo --undercloud`` takes the undercloud and the lab down whatever happens."""

from __future__ import annotations

import argparse

import pytest

from ironic_tripleo.cli import demo_undercloud
from ironic_tripleo.lab.undercloud.plan import Plan


class FakeUndercloud:
    def __init__(self, root, calls):
        self.root, self.calls = root, calls
        self.clouds_yaml = root / "clouds.yaml"

    def up(self):
        self.calls.append("undercloud up")
        return Plan(root=self.root, venv=self.root,
                    ports={"keystone": 5000, "glance": 9292},
                    passwords={"ironic": "secret"})

    def keystone_for_lab(self):
        return {"auth_url": "http://127.0.0.1:5000/v3", "glance_url": "http://127.0.0.1:9292"}

    def down(self):
        self.calls.append("undercloud down")
        return True


class FakeLab:
    def __init__(self, calls, failure):
        self.calls, self.failure = calls, failure
        self.workdir = None

    def load(self):
        return None

    def up(self, specs, subnet, keystone):
        self.calls.append("lab up")
        # behind the undercloud's Keystone, reading its Glance
        assert keystone["glance_url"] == "http://127.0.0.1:9292"
        raise self.failure

    def down(self):
        self.calls.append("lab down")
        return True


@pytest.mark.parametrize(("failure", "code"), [(RuntimeError("lab broke"), 1),
                                               (KeyboardInterrupt(), 130)])
def test_failure_takes_both_down(tmp_path, failure, code, capsys):
    calls: list[str] = []
    args = argparse.Namespace(workdir=tmp_path, subnet="auto", keep=True,
                              node_kind="namespace")
    got = demo_undercloud.main(args, FakeLab(calls, failure),
                               FakeUndercloud(tmp_path, calls))
    assert got == code
    # the stale undercloud first, then: up, lab up (fails), both down: the lab first
    # (undercloud down would restart a lab behind its Keystone without authentication)
    assert calls == ["undercloud down", "undercloud up", "lab up", "lab down",
                     "undercloud down"]
    assert "lab down, undercloud down" in capsys.readouterr().out
