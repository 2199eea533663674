"""The introspection state machine, written as a table.

No I/O here: ``next_state`` answers where an event leads or raises
``InvalidTransition`` naming the event and the state. The database layer applies
the answer with a compare-and-swap on the row's version.
"""

import enum

from discoverd import exception


class State(enum.StrEnum):
    """Where an introspection is."""

    starting = "starting"      # node validated, boot being managed
    waiting = "waiting"        # waiting for the ramdisk's POST /v1/continue
    processing = "processing"  # hooks and rules running on the ramdisk's data
    finished = "finished"
    error = "error"
    aborting = "aborting"      # operator abort: powering the node off


class Event(enum.StrEnum):
    """What can happen to an introspection."""

    start = "start"
    wait = "wait"
    process = "process"
    finish = "finish"
    error = "error"
    abort = "abort"
    abort_end = "abort_end"
    timeout = "timeout"
    reapply = "reapply"  # re-run the hooks on stored raw data
    join = "join"  # Ironic's inspect interface starting what discoverd already started
    resume = "resume"  # take over processing whose owner's lease expired (it died)


S, E = State, Event

TRANSITIONS: dict[State, dict[Event, State]] = {
    S.starting: {E.wait: S.waiting, E.error: S.error, E.abort: S.aborting,
                 E.timeout: S.error, E.join: S.starting},
    S.waiting: {E.process: S.processing, E.error: S.error, E.abort: S.aborting,
                E.timeout: S.error, E.start: S.starting, E.join: S.waiting},
    S.processing: {E.finish: S.finished, E.error: S.error, E.timeout: S.error,
                   E.resume: S.processing},
    S.aborting: {E.abort_end: S.error, E.error: S.error, E.timeout: S.error},
    S.finished: {E.start: S.starting, E.reapply: S.processing},
    S.error: {E.start: S.starting, E.reapply: S.processing},
}

#: The error of an introspection an operator aborted.
ABORTED = "Canceled by operator"

#: States in which an introspection is over.
FINISHED_STATES = frozenset({S.finished, S.error})
#: States the timeout check looks at.
ACTIVE_STATES = frozenset({S.starting, S.waiting, S.processing, S.aborting})


def next_state(node: str, state: State | str, event: Event | str) -> State:
    """Return the state ``event`` leads to from ``state``.

    :param node: node UUID, for the error message.
    :raises InvalidTransition: when the table has no such transition.
    """
    allowed = TRANSITIONS[State(state)]
    try:
        return allowed[Event(event)]
    except (KeyError, ValueError):
        raise exception.InvalidTransition(
            node=node, event=event, state=state,
            allowed=", ".join(sorted(allowed)) or "none") from None
