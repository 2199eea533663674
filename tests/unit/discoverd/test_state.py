"""The state table."""

import pytest

from discoverd import exception
from discoverd.state import TRANSITIONS, Event, State, next_state


@pytest.mark.parametrize(("state", "event", "expected"), [
    (State.starting, Event.wait, State.waiting),
    (State.waiting, Event.process, State.processing),
    (State.processing, Event.finish, State.finished),
    (State.waiting, Event.abort, State.aborting),
    (State.aborting, Event.abort_end, State.error),
    (State.waiting, Event.timeout, State.error),
    (State.finished, Event.start, State.starting),
    (State.error, Event.start, State.starting),
])
def test_allowed(state, event, expected):
    assert next_state("n1", state, event) == expected


@pytest.mark.parametrize(("state", "event"), [
    (State.processing, Event.abort), (State.finished, Event.process),
    (State.error, Event.finish), (State.starting, Event.start),
    (State.processing, Event.start), (State.finished, Event.timeout),
])
def test_illegal_names_event_and_state(state, event):
    with pytest.raises(exception.InvalidTransition) as err:
        next_state("node-1", state, event)
    message = str(err.value)
    assert f"'{event}'" in message and f"'{state}'" in message and "node-1" in message
    assert err.value.code == 409


def test_every_state_has_a_row_and_targets_are_states():
    assert set(TRANSITIONS) == set(State)
    for row in TRANSITIONS.values():
        assert all(target in State for target in row.values())


def test_unknown_event_is_an_illegal_transition():
    with pytest.raises(exception.InvalidTransition):
        next_state("n", State.waiting, "explode")
