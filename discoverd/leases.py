"""Leases on introspections being processed: who processes a record, and is it alive.

A process moves a record to ``processing`` with ``claim``, which stores the
ramdisk data in the same transaction (so nothing is processed, or acknowledged,
before it is committed) and makes the process the record's ``owner``. While it
works, a background thread renews ``heartbeat_at`` (``renew``). A record whose
heartbeat is older than the lease time belongs to a process that died: any
discoverd process (the restarted one, or another one on the same PostgreSQL)
takes it over with ``claim(..., Event.resume)`` and re-runs processing on the
stored data. A live lease is never taken: ``claim`` raises ``LeaseHeld``.

Starting and aborting are leased the same way (``LEASED_STATES``): the process that
starts or aborts an introspection owns the record until it moves on. If it dies
there, another process takes the record over (``take_over``) and ends it: a start
in ``error`` (it cannot know what the dead process had asked Ironic), an abort by
finishing it. So no crash leaves a record where only the introspection timeout
would end it.
"""

import datetime
import os
import socket
import uuid as uuidlib
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm.exc import StaleDataError

from discoverd import exception
from discoverd.db.api import Database
from discoverd.db.models import Introspection, IntrospectionData, utcnow
from discoverd.state import Event, State, next_state

_TABLE = Introspection.__table__  # plain UPDATEs: a heartbeat is not a state change
#: States in which a record belongs to the process working on it.
LEASED_STATES = (State.starting, State.processing, State.aborting)


def new_owner() -> str:
    """A name for this process that no other process, now or later, shares."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuidlib.uuid4().hex[:8]}"


def _expired(record: Introspection, now: datetime.datetime, lease_time: float) -> bool:
    return (record.heartbeat_at is None
            or record.heartbeat_at < now - datetime.timedelta(seconds=lease_time))


def claim(db: Database, uuid: str, event: Event, owner: str, lease_time: float,
          payload: dict[str, Any] | None = None, manage_boot: bool | None = None
          ) -> Introspection:
    """Move ``uuid`` to ``processing`` for ``owner``, storing ``payload`` with it.

    A record already ``processing`` whose lease expired is taken over (``resume``)
    whatever ``event`` says; the new payload, if any, replaces the stored one.

    :param event: ``process`` (ramdisk data), ``reapply`` or ``resume``.
    :param payload: the raw ramdisk data, committed in the same transaction.
    :param manage_boot: replaces the record's ``manage_boot`` when given.
    :raises LeaseHeld: when a live process is processing the record.
    :raises InvalidTransition, IntrospectionNotFound, ConcurrentUpdate:
    """
    now = utcnow()
    try:
        with db.session() as session:
            record = session.get(Introspection, uuid, with_for_update=True)
            if record is None:
                raise exception.IntrospectionNotFound(ident=uuid)
            if record.state == State.processing:
                if not _expired(record, now, lease_time):
                    age = (now - record.heartbeat_at).total_seconds()
                    raise exception.LeaseHeld(node=uuid, owner=record.owner or "?",
                                              age=age, lease=lease_time)
                event = Event.resume
            record.state = next_state(uuid, record.state, event)
            record.owner, record.heartbeat_at = owner, now
            if manage_boot is not None:
                record.manage_boot = manage_boot
            if payload is not None:
                session.execute(delete(IntrospectionData).where(
                    IntrospectionData.uuid == uuid, IntrospectionData.processed.is_(False)))
                session.add(IntrospectionData(uuid=uuid, processed=False, data=payload,
                                              stored_at=now))
        return record
    except StaleDataError:
        raise exception.ConcurrentUpdate(node=uuid, event=event) from None


def stored_payload(db: Database, uuid: str) -> dict[str, Any] | None:
    """The raw data stored for the current processing of ``uuid``, or None.

    Data stored before the introspection started belongs to an earlier one.
    """
    with db.session() as session:
        row = session.execute(
            select(IntrospectionData.data)
            .join(Introspection, Introspection.uuid == IntrospectionData.uuid)
            .where(IntrospectionData.uuid == uuid, IntrospectionData.processed.is_(False),
                   IntrospectionData.stored_at >= Introspection.started_at)).first()
    return None if row is None else row.data


def renew(db: Database, owner: str) -> int:
    """Renew every lease ``owner`` holds; return how many."""
    with db.session() as session:
        result = session.execute(
            update(_TABLE)
            .where(_TABLE.c.owner == owner,
                   _TABLE.c.state.in_([str(s) for s in LEASED_STATES]))
            .values(heartbeat_at=utcnow()))
        return result.rowcount


def hold(db: Database, uuid: str, state: State, owner: str) -> bool:
    """Make ``owner`` hold the lease of ``uuid`` while it is in ``state`` (a start or
    an abort in progress); False when the record has moved on meanwhile."""
    with db.session() as session:
        result = session.execute(
            update(_TABLE)
            .where(_TABLE.c.uuid == uuid, _TABLE.c.state == str(state))
            .values(owner=owner, heartbeat_at=utcnow()))
        return result.rowcount == 1


def expired(db: Database, lease_time: float) -> list[str]:
    """UUIDs of records ``processing`` whose lease expired (their owner died)."""
    limit = utcnow() - datetime.timedelta(seconds=lease_time)
    with db.session() as session:
        return list(session.scalars(
            select(Introspection.uuid).where(
                Introspection.state == str(State.processing),
                or_(Introspection.heartbeat_at.is_(None),
                    Introspection.heartbeat_at < limit))))


def stalled(db: Database, lease_time: float) -> list[tuple[str, State, str]]:
    """``(uuid, state, owner)`` of records ``starting`` or ``aborting`` whose owner
    stopped renewing its lease (it died). Records without an owner (written by a
    version without leases on these states) are left to the introspection timeout."""
    limit = utcnow() - datetime.timedelta(seconds=lease_time)
    with db.session() as session:
        rows = session.execute(
            select(Introspection.uuid, Introspection.state, Introspection.owner).where(
                Introspection.state.in_([str(State.starting), str(State.aborting)]),
                Introspection.owner.is_not(None),
                Introspection.heartbeat_at < limit)).all()
    return [(row.uuid, State(row.state), row.owner) for row in rows]


def take_over(db: Database, uuid: str, state: State, dead_owner: str, owner: str,
              lease_time: float) -> bool:
    """Take the expired lease of ``uuid`` from ``dead_owner``; False when another
    process took it first or the record moved on."""
    limit = utcnow() - datetime.timedelta(seconds=lease_time)
    with db.session() as session:
        result = session.execute(
            update(_TABLE)
            .where(_TABLE.c.uuid == uuid, _TABLE.c.state == str(state),
                   _TABLE.c.owner == dead_owner, _TABLE.c.heartbeat_at < limit)
            .values(owner=owner, heartbeat_at=utcnow()))
        return result.rowcount == 1
