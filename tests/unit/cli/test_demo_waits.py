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
