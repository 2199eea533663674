"""``ironic-tripleo introspect``: options, the legacy manage/start/follow API, output."""

import argparse
import io

import pytest

from ironic_tripleo.cli import introspect
from ironic_tripleo.nodes.introspection import Tracked
from tests.harness.fake_baremetal import FakeBaremetal


def parse(*argv):
    parser = argparse.ArgumentParser()
    introspect.register(parser.add_subparsers())
    return parser.parse_args(["introspect", *argv])


def test_options_defaults_and_checks():
    args = parse("--all-manageable")
    options = introspect.options_from(args)
    assert (options.concurrency, options.node_timeout, options.max_retries,
            options.retry_timeout) == (20, 1200, 0, 120)
    with pytest.raises(ValueError, match="--concurrency must be at least 1"):
        introspect.options_from(parse("--all", "--concurrency", "0"))
    with pytest.raises(SystemExit):
        parse("--all", "--all-manageable")


def test_select_all_skips_maintenance_and_other_states():
    bm = FakeBaremetal({"a": [], "b": [], "c": [], "d": []})
    for name, state in zip("abcd", ("enroll", "manageable", "active", "inspect failed"),
                           strict=True):
        bm.nodes_[name].provision_state = state
    bm.nodes_["b"].is_maintenance = True
    assert [n.name for n in introspect.select_nodes(bm, True, [])] == ["a", "d"]


def test_manage_start_follow_as_the_demo_calls_them():
    bm = FakeBaremetal({"a": ["ok"], "b": ["fail"], "c": []}, start_state="enroll", ticks=1)
    bm.nodes_["b"].provision_state = "manageable"
    bm.nodes_["c"].provision_state = "active"
    nodes = introspect.select_nodes(bm, False, ["a", "b", "c"])
    introspect.manage(bm, nodes, float("inf"))
    introspect.start(bm, nodes)
    assert bm.actions == [("a", "manage"), ("b", "inspect")]
    out = io.StringIO()
    introspect.follow(bm, nodes, float("inf"), out,
                      introspect.Options(poll_interval=0.0, max_retries=0))
    by_name = {n.name: n for n in nodes}
    assert by_name["a"].state == "manageable" and not by_name["a"].failed
    assert by_name["b"].error == "ramdisk said no"
    assert "does not allow inspection" in by_name["c"].error
    assert out.getvalue().splitlines()[-1] == "3/3 finished, 2 failed"


def test_progress_bar_and_table():
    nodes = [Tracked("1", "n1", state="manageable", phase="done",
                     properties={"cpus": 4, "memory_mb": 8192, "local_gb": 99}),
             Tracked("2", "n2", state="inspect failed", error="no\ndisk")]
    assert introspect.progress_bar(nodes, width=10) == "[##########]"
    out = io.StringIO()
    introspect.print_table(nodes, out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["node", "state", "cpus", "memory_mb", "local_gb", "error"]
    assert lines[1].split() == ["n1", "manageable", "4", "8192", "99"]
    assert lines[2].split() == ["n2", "inspect", "failed", "-", "-", "-", "no", "disk"]


@pytest.mark.parametrize("phase, error, failed", [("done", None, False), ("failed", "x", True),
                                                  ("inspecting", None, False)])
def test_tracked_failed(phase, error, failed):
    assert Tracked("u", "n", phase=phase, error=error).failed is failed
