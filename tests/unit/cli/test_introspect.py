"""``ironic-tripleo introspect``: node selection, manage, start, progress, table."""

import io
import types

import openstack.exceptions
import pytest

from ironic_tripleo.cli import introspect
from ironic_tripleo.cli.introspect import Tracked


class FakeBaremetal:
    """Nodes as SimpleNamespaces; 'manage' and 'inspect' move them at once."""

    def __init__(self, **states):
        self.nodes_ = {name: types.SimpleNamespace(
            id=f"id-{name}", name=name, provision_state=state, is_maintenance=False,
            last_error=None, properties={}) for name, state in states.items()}
        self.actions = []

    def _get(self, ident):
        return next(n for n in self.nodes_.values() if ident in (n.id, n.name))

    def nodes(self, details=False):
        return list(self.nodes_.values())

    def get_node(self, ident):
        return self._get(ident)

    def set_node_provision_state(self, ident, target):
        node = self._get(ident)
        self.actions.append((node.name, target))
        if node.name.startswith("refuse"):
            raise openstack.exceptions.ConflictException("locked")
        node.provision_state = {"manage": "manageable", "inspect": "inspect wait"}[target]


def test_select_all_skips_maintenance_and_other_states():
    bm = FakeBaremetal(a="enroll", b="manageable", c="active", d="inspect failed")
    bm.nodes_["b"].is_maintenance = True
    assert [n.name for n in introspect.select_nodes(bm, True, [])] == ["a", "d"]


def test_manage_then_start(monkeypatch):
    monkeypatch.setattr(introspect, "POLL_INTERVAL", 0.01)
    bm = FakeBaremetal(a="enroll", b="manageable", c="active", refuse="manageable")
    nodes = introspect.select_nodes(bm, False, ["a", "b", "c", "refuse"])
    introspect.manage(bm, nodes, deadline=float("inf"))
    introspect.start(bm, nodes)
    assert bm.actions == [("a", "manage"), ("a", "inspect"), ("b", "inspect"),
                          ("refuse", "inspect")]
    by_name = {n.name: n for n in nodes}
    assert by_name["a"].state == "inspecting" and by_name["a"].error is None
    assert "does not allow inspection" in by_name["c"].error
    assert "'inspect' refused" in by_name["refuse"].error


def test_follow_plain_lines_and_final_states(monkeypatch):
    monkeypatch.setattr(introspect, "POLL_INTERVAL", 0.0)
    bm = FakeBaremetal(a="inspect wait", b="inspect wait")
    nodes = [Tracked("id-a", "a"), Tracked("id-b", "b")]
    polls = iter([("inspect wait", "inspect wait"), ("manageable", "inspect wait"),
                  ("manageable", "inspect failed")])

    def refresh(bm_, tracked):
        states = next(polls)
        for node, state in zip(tracked, states, strict=True):
            node.state = state
            if state == "inspect failed":
                node.error = "boom"
    monkeypatch.setattr(introspect, "refresh", refresh)
    out = io.StringIO()
    introspect.follow(bm, nodes, float("inf"), out)
    assert out.getvalue().splitlines() == ["0/2 finished, 0 failed", "1/2 finished, 0 failed",
                                           "2/2 finished, 1 failed"]


def test_progress_bar_and_table():
    nodes = [Tracked("1", "n1", state="manageable",
                     properties={"cpus": 4, "memory_mb": 8192, "local_gb": 99}),
             Tracked("2", "n2", state="inspect failed", error="no\ndisk")]
    assert introspect.progress_bar(nodes, width=10) == "[##########]"
    out = io.StringIO()
    introspect.print_table(nodes, out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["node", "state", "cpus", "memory_mb", "local_gb", "error"]
    assert lines[1].split() == ["n1", "manageable", "4", "8192", "99"]
    assert lines[2].split() == ["n2", "inspect", "failed", "-", "-", "-", "no", "disk"]


@pytest.mark.parametrize("state, failed", [("manageable", False), ("inspect failed", True),
                                           ("inspect wait", False)])
def test_tracked_failed(state, failed):
    assert Tracked("u", "n", state=state).failed is failed
