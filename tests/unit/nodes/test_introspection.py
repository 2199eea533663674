"""The introspection scheduler: concurrency, retries, node timeout, release wait."""


import pytest

from ironic_tripleo.nodes import introspection
from ironic_tripleo.nodes.introspection import Options, Tracked
from tests.harness.fake_baremetal import FakeBaremetal

FAST = dict(poll_interval=0.0)


def run(bm, names, clock=None, **options):
    nodes = [Tracked(f"id-{n}", n, state=bm.get_node(n).provision_state) for n in names]
    extra = {} if clock is None else {"clock": clock}
    introspection.run(bm, nodes, Options(**{**FAST, **options}), **extra)
    return {n.name: n for n in nodes}


def ticking_clock():
    """A clock that moves 10 s per reading (patching time.monotonic would move the
    clock of every other thread in the process too, and they would take its ticks)."""
    ticks = iter(range(0, 10_000, 10))
    return lambda: next(ticks)


def test_concurrency_bounds_nodes_in_flight():
    bm = FakeBaremetal({f"n{i}": ["ok"] for i in range(7)})
    result = run(bm, [f"n{i}" for i in range(7)], concurrency=3)
    assert bm.max_running == 3
    assert all(n.phase == "done" and n.properties == {"cpus": 2} for n in result.values())


def test_failed_inspection_retried_then_done():
    bm = FakeBaremetal({"a": ["fail", "ok"], "b": ["fail", "fail"]})
    result = run(bm, ["a", "b"], max_retries=1)
    assert result["a"].phase == "done" and result["a"].attempts == 2
    assert result["b"].failed and result["b"].error == "ramdisk said no"
    assert bm.actions.count(("b", "inspect")) == 2


def test_no_retry_when_max_retries_zero():
    bm = FakeBaremetal({"a": ["fail", "ok"]})
    result = run(bm, ["a"], max_retries=0)
    assert result["a"].failed and result["a"].attempts == 1


def test_node_timeout_aborts_and_retries():
    bm = FakeBaremetal({"a": ["hang", "ok"], "b": ["hang", "hang"]})
    result = run(bm, ["a", "b"], clock=ticking_clock(), node_timeout=25, max_retries=1)
    assert ("a", "abort") in bm.actions and result["a"].phase == "done"
    assert result["b"].failed and "timed out after 25s in 'inspect wait'" in result["b"].error


def test_retry_waits_for_release():
    bm = FakeBaremetal({"a": ["fail", "ok"]})
    bm.nodes_["a"].reservation = "conductor-1"  # never released
    result = run(bm, ["a"], clock=ticking_clock(), retry_timeout=30)
    assert result["a"].failed and "not released by Ironic within 30s" in result["a"].error


def test_enroll_nodes_are_managed_first_and_refusal_is_that_nodes_error():
    bm = FakeBaremetal({"a": ["ok"], "locked": ["ok"]}, start_state="enroll")
    result = run(bm, ["a", "locked"])
    assert bm.actions[:2] == [("a", "manage"), ("locked", "manage")]
    assert result["a"].phase == "done"
    assert "'inspect' refused" in result["locked"].error


def test_wrong_state_is_an_error():
    bm = FakeBaremetal({"a": ["ok"]}, start_state="active")
    result = run(bm, ["a"])
    assert "does not allow inspection" in result["a"].error


@pytest.mark.parametrize(("kwargs", "names"), [
    ({"all_manageable": True}, ["m"]),
    ({"everything": True}, ["e", "m", "f"]),
])
def test_select(kwargs, names):
    bm = FakeBaremetal({"e": [], "m": [], "f": [], "a": [], "x": []})
    for name, state in (("e", "enroll"), ("m", "manageable"), ("f", "inspect failed"),
                        ("a", "available"), ("x", "manageable")):
        bm.nodes_[name].provision_state = state
    bm.nodes_["x"].is_maintenance = True
    assert [n.name for n in introspection.select_nodes(bm, **kwargs)] == names
