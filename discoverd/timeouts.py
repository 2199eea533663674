"""The periodic timeout check: a background thread in each discoverd process.

Every process may run it: the compare-and-swap on the row's version makes sure a
timed-out introspection is expired (and its node powered off) once.
"""

import datetime
import logging

from baremetal_common.node_log import node_log
from discoverd import exception, records
from discoverd.db.models import utcnow
from discoverd.node_control import power_off
from discoverd.periodic import Periodic
from discoverd.service import Service
from discoverd.state import Event

LOG = logging.getLogger(__name__)


def expire(service: Service, now: datetime.datetime | None = None) -> list[str]:
    """Move introspections older than ``service.timeout`` to error; return their UUIDs."""
    limit = (now or utcnow()) - datetime.timedelta(seconds=service.timeout)
    expired = []
    for uuid, version in records.timed_out(service.db, limit):
        try:
            records.transition(
                service.db, uuid, Event.timeout, expect_version=version,
                error=f"Introspection timeout: no result within {service.timeout} seconds")
        except (exception.ConcurrentUpdate, exception.InvalidTransition,
                exception.IntrospectionNotFound):
            continue  # another process or request got there first
        node_log(LOG, uuid).warning("introspection timed out")
        service.introspection_ended(uuid)
        if service.power_off:
            power_off(service, uuid)
        expired.append(uuid)
    return expired


class TimeoutChecker(Periodic):
    """Run ``expire`` every ``period`` seconds in a daemon thread until ``stop``."""

    def __init__(self, service: Service, period: float) -> None:
        self.service = service
        super().__init__("discoverd-timeouts", period, lambda: expire(service),
                         "timeout check")
