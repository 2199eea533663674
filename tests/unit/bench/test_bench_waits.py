"""The benchmarks' waits (lab.readiness.wait_until): bench/vm_lab.wait_states and
bench/ironic_power_sync.next_cycle, against stand-ins of what they read."""

import datetime
import importlib.util
import threading
import time
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"
POLL = 0.05  # the waits' read interval here (the benchmarks read every second)


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Node:
    def __init__(self, state: str, error: str = "") -> None:
        self.provision_state, self.last_error = state, error


class _Baremetal:
    """Each node's states in turn, the last one repeated."""

    def __init__(self, states: dict[str, list[str]]) -> None:
        self.states = states

    def get_node(self, name: str) -> _Node:
        seq = self.states[name]
        return _Node(seq.pop(0) if len(seq) > 1 else seq[0], "boom")


def test_wait_states_times_each_node_once_there():
    vm_lab = _load("vm_lab")
    bm = _Baremetal({"a": ["deploying", "active"], "b": ["deploying"] * 2 + ["active"]})
    done = vm_lab.wait_states(bm, ["a", "b"], "active", "deploy failed",
                              time.monotonic(), 30, interval=POLL)
    assert set(done) == {"a", "b"} and done["a"] <= done["b"]


def test_wait_states_stops_on_the_failed_state_naming_it():
    vm_lab = _load("vm_lab")
    bm = _Baremetal({"a": ["deploying", "deploy failed"]})
    with pytest.raises(RuntimeError, match="a: deploy failed: boom"):
        vm_lab.wait_states(bm, ["a"], "active", "deploy failed", time.monotonic(), 30,
                           interval=POLL)


def test_wait_states_gives_up_naming_the_missing():
    vm_lab = _load("vm_lab")
    bm = _Baremetal({"a": ["active"], "b": ["deploying"]})
    with pytest.raises(RuntimeError, match=r"not active after 0.5 s: \['b'\]"):
        vm_lab.wait_states(bm, ["a", "b"], "active", "deploy failed", time.monotonic(), 0.5,
                           interval=POLL)


def _sync_line(at: datetime.datetime, seconds: float) -> str:
    return (f"{at:%Y-%m-%d %H:%M:%S.%f}"[:23] + " 42 DEBUG ironic.conductor.manager [-] "
            f"Completed power state sync operation, evaluated 5 nodes with 8 workers in "
            f"{seconds} seconds\n")


def test_next_cycle_waits_for_a_cycle_that_started_after(tmp_path):
    power_sync = _load("ironic_power_sync")
    log = tmp_path / "ironic.log"
    log.write_text(_sync_line(datetime.datetime.now() - datetime.timedelta(seconds=60), 1.0))
    after = time.monotonic()

    def later_cycle() -> None:
        time.sleep(0.4)  # a cycle of 0.1 s that ends now started after ``after``
        with log.open("a") as f:
            f.write(_sync_line(datetime.datetime.now(), 0.1))

    writer = threading.Thread(target=later_cycle)
    writer.start()
    begin, end, seconds = power_sync.next_cycle(log, after, timeout=30, interval=POLL)
    writer.join()
    assert seconds == 0.1 and begin >= after and end > begin


def test_next_cycle_gives_up(tmp_path):
    power_sync = _load("ironic_power_sync")
    log = tmp_path / "ironic.log"
    log.write_text("")
    with pytest.raises(RuntimeError, match="no sync cycle started and ended within 1 s"):
        power_sync.next_cycle(log, time.monotonic(), timeout=1, interval=POLL)
