"""Introspection records: create, move through the state table, store data.

Every state change is a compare-and-swap on ``version_id`` (the mapper's version
counter), so when several discoverd processes share one database only one of them
wins a given transition; the others get ``ConcurrentUpdate``.
"""

import datetime
import logging
from collections.abc import Iterable, Sequence

import tenacity
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from baremetal_common.node_log import node_log
from discoverd import exception
from discoverd.db.api import Database
from discoverd.db.models import Attribute, Introspection, IntrospectionData, utcnow
from discoverd.state import (
    ABORTED,
    ACTIVE_STATES,
    FINISHED_STATES,
    TRANSITIONS,
    Event,
    State,
    next_state,
)

LOG = logging.getLogger(__name__)

#: Tries of a transition whose compare-and-swap lost to another write of the row.
CAS_ATTEMPTS = 3


def get(db: Database, uuid: str) -> Introspection:
    """Return the introspection of node ``uuid``.

    :raises IntrospectionNotFound: when the node was never introspected.
    """
    with db.session() as session:
        record = session.get(Introspection, uuid)
        if record is None:
            raise exception.IntrospectionNotFound(ident=uuid)
        return record


def start(db: Database, uuid: str, manage_boot: bool,
          attributes: dict[str, Iterable[str]], awaiting_join: bool = False,
          owner: str | None = None) -> Introspection:
    """Begin (or restart) the introspection of ``uuid`` in state ``starting``.

    :param attributes: lookup attributes, e.g. ``{"mac": [...], "bmc_address": [...]}``.
    :param awaiting_join: the node is being put into Ironic's inspect flow, whose
        interface will call back (``join``).
    :param owner: the process starting it holds the record's lease until it moves
        on (``discoverd.leases``): if it dies, another process ends the start.
    :raises InvalidTransition: when an introspection of the node is in progress.
    :raises ConcurrentUpdate: when another process started it at the same moment.
    """
    try:
        with db.session() as session:
            record = session.get(Introspection, uuid, with_for_update=True)
            if record is None:
                record = Introspection(uuid=uuid, state=State.starting)
                session.add(record)
            else:
                record.state = next_state(uuid, record.state, Event.start)
            record.started_at = utcnow()
            record.finished_at = None
            record.error = None
            record.manage_boot = manage_boot
            record.awaiting_join = awaiting_join
            record.owner = owner
            record.heartbeat_at = None if owner is None else utcnow()
            record.attributes = [Attribute(name=name, value=value)
                                 for name, values in attributes.items()
                                 for value in sorted(set(values))]
        return record
    except StaleDataError:
        raise exception.ConcurrentUpdate(node=uuid, event=Event.start) from None
    except IntegrityError:  # two processes inserted the same new node
        raise exception.ConcurrentUpdate(node=uuid, event=Event.start) from None


def join(db: Database, uuid: str, pending_since: datetime.datetime
         ) -> Introspection | None:
    """Keep the introspection of ``uuid`` if it is starting or waiting; else None.

    For Ironic's inspect interface calling ``POST /v1/introspection/<uuid>?manage_boot=
    false`` after discoverd itself put the node into Ironic's inspect flow: the record
    (attributes, start time) stays; from now on Ironic manages the boot.

    :param pending_since: a start that still awaits its join but is older than this
        is stale (Ironic never called back); the call then starts anew.
    :raises IntrospectionEnded: when the introspection discoverd handed to Ironic
        ended (aborted, timed out) before this join: it must not be restarted.
    :raises ConcurrentUpdate: when other requests kept changing the row meanwhile.
    """
    record, joinable, ended_before_join = _retry_cas(
        uuid, Event.join, CAS_ATTEMPTS, _join, db, uuid, pending_since)
    if ended_before_join:
        error = record.error or (ABORTED if record.state == State.aborting else "")
        raise exception.IntrospectionEnded(node=uuid, state=record.state, error=error)
    return record if joinable else None


def _join(db: Database, uuid: str, pending_since: datetime.datetime
          ) -> tuple[Introspection | None, bool, bool]:
    with db.session() as session:
        record = session.get(Introspection, uuid, with_for_update=True)
        if record is None:
            return None, False, False
        joinable = Event.join in TRANSITIONS[State(record.state)]
        ended_before_join = (record.awaiting_join and not joinable
                             and record.started_at >= pending_since)
        if joinable or record.state in FINISHED_STATES:
            # Answered: a later start is a new one. Not while aborting: the abort's
            # own next write must not lose the compare-and-swap.
            record.awaiting_join = False
        if joinable:
            record.state = next_state(uuid, record.state, Event.join)
            record.manage_boot = False
    return record, joinable, ended_before_join


def _retry_cas(uuid: str, event: Event, attempts: int, func, *args):
    """Run ``func(*args)``, again on the fresh row when its compare-and-swap lost.

    :raises ConcurrentUpdate: when it lost ``attempts`` times.
    """
    try:
        for attempt in tenacity.Retrying(
                retry=tenacity.retry_if_exception_type(StaleDataError),
                stop=tenacity.stop_after_attempt(attempts), reraise=True):
            with attempt:
                return func(*args)
    except StaleDataError:
        raise exception.ConcurrentUpdate(node=uuid, event=event) from None
    raise AssertionError("unreachable")  # pragma: no cover


def transition(db: Database, uuid: str, event: Event, error: str | None = None,
               expect_version: int | None = None, no_join: bool = False,
               owner: str | None = None) -> Introspection:
    """Apply ``event`` to the introspection of ``uuid`` and return the new record.

    Reaching ``finished`` or ``error`` sets ``finished_at`` and drops the lookup
    attributes (the node is no longer under introspection). Without
    ``expect_version``, losing the compare-and-swap to another write is retried on
    the fresh row: the event then applies, or raises ``InvalidTransition`` when that
    write moved the state where the event is not allowed.

    :param expect_version: fail unless the row still has this ``version_id``.
    :param no_join: Ironic will not call back (it refused the inspect flow).
    :param owner: only if this process still holds the processing lease.
    :raises InvalidTransition: when the event is not allowed in the current state.
    :raises ConcurrentUpdate: when another request changed the row meanwhile.
    :raises LeaseLost: when ``owner`` no longer holds the lease.
    """
    attempts = 1 if expect_version is not None else CAS_ATTEMPTS
    return _retry_cas(uuid, event, attempts, _transition, db, uuid, event, error,
                      expect_version, no_join, owner)


def _transition(db: Database, uuid: str, event: Event, error: str | None,
                expect_version: int | None, no_join: bool, owner: str | None
                ) -> Introspection:
    with db.session() as session:
        record = session.get(Introspection, uuid, with_for_update=True,
                             options=[selectinload(Introspection.attributes)])
        if record is None:
            raise exception.IntrospectionNotFound(ident=uuid)
        if expect_version is not None and record.version_id != expect_version:
            raise exception.ConcurrentUpdate(node=uuid, event=event)
        new = next_state(uuid, record.state, event)
        if owner is not None and record.owner != owner:
            raise exception.LeaseLost(node=uuid, owner=owner, holder=record.owner)
        node_log(LOG, uuid).debug("%s: %s -> %s", event, record.state, new)
        record.state = new
        if error is not None:
            record.error = error
        if no_join:
            record.awaiting_join = False
        if new == State.processing:  # a lease with no owner: expires unless ended soon
            record.heartbeat_at = utcnow()
        elif record.owner is not None or record.heartbeat_at is not None:
            record.owner = record.heartbeat_at = None
        if new in FINISHED_STATES:
            record.finished_at = utcnow()
            record.attributes = []
    return record


def list_page(db: Database, marker: str | None, limit: int,
              states: Sequence[str] | None = None) -> list[Introspection]:
    """Return up to ``limit`` introspections, newest first, after ``marker``.

    :param states: only introspections in one of these states; ``None`` for all.
    :raises IntrospectionNotFound: when ``marker`` is not a known node.
    """
    with db.session() as session:
        query = select(Introspection).order_by(Introspection.started_at.desc(),
                                               Introspection.uuid.desc())
        if states is not None:
            query = query.where(Introspection.state.in_(list(states)))
        if marker is not None:
            anchor = session.get(Introspection, marker)
            if anchor is None:
                raise exception.IntrospectionNotFound(ident=marker)
            query = query.where(
                (Introspection.started_at < anchor.started_at)
                | ((Introspection.started_at == anchor.started_at)
                   & (Introspection.uuid < anchor.uuid)))
        return list(session.scalars(query.limit(limit)))


def find_by_attributes(db: Database, pairs: Sequence[tuple[str, str]]
                       ) -> list[tuple[str, str, str, str]]:
    """Return ``(uuid, state, name, value)`` for every stored attribute in ``pairs``."""
    if not pairs:
        return []
    with db.session() as session:
        query = (select(Attribute.uuid, Introspection.state, Attribute.name, Attribute.value)
                 .join(Introspection)
                 .where(Attribute.value.in_({value for _, value in pairs})))
        wanted = set(pairs)
        return [tuple(row) for row in session.execute(query)
                if (row.name, row.value) in wanted]


def active_macs(db: Database) -> tuple[bool, set[str]]:
    """Return whether any introspection is active, and the MACs being introspected."""
    active = [str(s) for s in ACTIVE_STATES]
    with db.session() as session:
        running = session.scalar(
            select(Introspection.uuid).where(Introspection.state.in_(active)).limit(1))
        query = (select(Attribute.value).join(Introspection)
                 .where(Attribute.name == "mac", Introspection.state.in_(active)))
        macs = {value.lower() for value in session.scalars(query)}
    return running is not None, macs


def timed_out(db: Database, started_before: datetime.datetime) -> list[tuple[str, int]]:
    """Return ``(uuid, version_id)`` of active introspections started before the time."""
    with db.session() as session:
        query = select(Introspection.uuid, Introspection.version_id).where(
            Introspection.state.in_([str(s) for s in ACTIVE_STATES]),
            Introspection.started_at < started_before)
        return [tuple(row) for row in session.execute(query)]


def store_data(db: Database, uuid: str, data: dict, processed: bool) -> None:
    """Store (replace) the raw or processed data of node ``uuid``."""
    with db.session() as session:
        session.execute(delete(IntrospectionData).where(
            IntrospectionData.uuid == uuid, IntrospectionData.processed == processed))
        session.add(IntrospectionData(uuid=uuid, processed=processed, data=data,
                                      stored_at=utcnow()))


def delete_data(db: Database, uuid: str) -> None:
    """Forget the raw and processed data of node ``uuid``."""
    with db.session() as session:
        session.execute(delete(IntrospectionData).where(IntrospectionData.uuid == uuid))


def get_data(db: Database, uuid: str, processed: bool) -> dict:
    """Return the stored raw or processed data of node ``uuid``.

    :raises DataNotFound: when none is stored.
    """
    with db.session() as session:
        row = session.get(IntrospectionData, (uuid, processed))
        if row is None:
            raise exception.DataNotFound(ident=uuid,
                                         kind="processed" if processed else "unprocessed")
        return row.data
