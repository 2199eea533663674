"""lab.readiness.wait_until: ready, the last reason at the timeout, a probe's own error."""

import pytest

from ironic_tripleo.lab.readiness import wait_until


def test_ready_after_some_polls():
    answers = iter(["starting", "starting", None])
    assert wait_until(lambda: next(answers), timeout=30, interval=0) is None


def test_timeout_returns_the_last_reason():
    assert wait_until(lambda: "refused", timeout=0.05, interval=0.01) == "refused"


def test_a_probe_error_ends_the_wait():
    def exited():
        raise RuntimeError("exited with 1")

    with pytest.raises(RuntimeError, match="exited with 1"):
        wait_until(exited, timeout=30)
