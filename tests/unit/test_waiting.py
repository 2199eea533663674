"""tests.harness.waiting.wait_for: returns the first truthy value, names what timed out."""

import pytest

from tests.harness.waiting import wait_for


def test_returns_the_first_truthy_value():
    values = iter([None, 0, "ready"])
    assert wait_for(lambda: next(values), timeout=30, interval=0) == "ready"


def test_timeout_names_what_was_awaited():
    with pytest.raises(TimeoutError, match="timed out after 0.05s waiting for the moon"):
        wait_for(lambda: False, timeout=0.05, interval=0.01, what="the moon")


def test_an_exception_of_the_predicate_propagates():
    def broken():
        raise ValueError("bad")

    with pytest.raises(ValueError, match="bad"):
        wait_for(broken, timeout=30)
