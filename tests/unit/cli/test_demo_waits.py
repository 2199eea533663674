"""The demo's waits (lab.readiness underneath): a result once settled, DemoError naming
what was found otherwise."""

import pytest

from ironic_tripleo.cli import demo
from ironic_tripleo.lab.exception import DemoError


def test_wait_namespace_returns_the_pids_once_running(mocker):
    mocker.patch.object(demo.netns, "namespace_pids", autospec=True,
                        side_effect=[[], [], [41, 42]])
    assert demo.wait_namespace("ns-x", running=True, timeout=30) == [41, 42]


def test_wait_namespace_names_what_it_found(mocker):
    mocker.patch.object(demo.netns, "namespace_pids", autospec=True, return_value=[7])
    with pytest.raises(DemoError, match=r"namespace ns-x: expected no process, found \[7\]"):
        demo.wait_namespace("ns-x", running=False, timeout=0.1)


class _Node:
    def __init__(self, state: str, error: str | None = None) -> None:
        self.provision_state, self.last_error = state, error


class _Baremetal:
    """Ironic's node as the demo polls it: the states it passes, the last repeated."""

    def __init__(self, *states: _Node) -> None:
        self.states, self.actions = list(states), []

    def set_node_provision_state(self, name: str, action: str) -> None:
        self.actions.append((name, action))

    def get_node(self, name: str) -> _Node:
        return self.states.pop(0) if len(self.states) > 1 else self.states[0]


def test_deploy_and_follow_prints_each_state_once_and_returns_active(capsys):
    bm = _Baremetal(_Node("deploying"), _Node("deploying"), _Node("wait call-back"),
                    _Node("active"))
    node = demo._deploy_and_follow(bm, "n0", timeout=5, poll=0.01)
    assert node.provision_state == "active" and bm.actions == [("n0", "active")]
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[-1] for line in lines] == ["deploying", "call-back", "active"]


def test_deploy_and_follow_names_ironics_error():
    bm = _Baremetal(_Node("deploying"), _Node("deploy failed", "image checksum mismatch"))
    with pytest.raises(DemoError, match="n0: deploy failed: image checksum mismatch"):
        demo._deploy_and_follow(bm, "n0", timeout=5, poll=0.01)


def test_deploy_and_follow_gives_up_naming_the_state():
    bm = _Baremetal(_Node("wait call-back"))
    with pytest.raises(DemoError, match="n0: still wait call-back after 0.2 s"):
        demo._deploy_and_follow(bm, "n0", timeout=0.2, poll=0.05)
