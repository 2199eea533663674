"""discoverd.periodic.Periodic: the one periodic-task thread (real threads)."""

import logging
import threading

from discoverd.periodic import Periodic
from tests.harness.waiting import wait_for


def test_failure_is_logged_and_the_next_period_runs(caplog):
    calls = []

    def work():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database hiccup")

    task = Periodic("t-fail", 0.01, work, "the test task")
    with caplog.at_level(logging.ERROR, logger="discoverd.periodic"):
        task.start()
        try:
            wait_for(lambda: len(calls) >= 2, 30, what="a second call")
        finally:
            task.stop()
    assert "the test task failed; retrying in 0.01 s" in caplog.text
    assert not task._thread.is_alive()


def test_wake_runs_before_the_period_and_stop_does_not_wait_it_out():
    called = threading.Event()
    task = Periodic("t-wake", 3600, called.set, "the test task")
    task.start()
    try:
        assert not called.wait(0.2)  # not at start, the period is an hour
        task.wake()
        assert called.wait(30)
    finally:
        task.stop()
    assert not task._thread.is_alive()  # stop() joined it without the hour


def test_at_start_and_disabled():
    called = threading.Event()
    task = Periodic("t-start", 3600, called.set, "x", at_start=True)
    task.start()
    try:
        assert called.wait(30)
    finally:
        task.stop()
    disabled = Periodic("t-off", 0, called.set, "x")
    disabled.start()
    assert not disabled._thread.is_alive()
    disabled.stop()
