"""The lease keeper: a background thread in each discoverd process.

Every third of ``[processing] lease_time`` it renews the leases this process holds
and takes over the records whose owner stopped renewing (it died), re-running
their processing on the stored ramdisk data; a start or an abort left by a dead
process is ended (``node_control.end_stalled_start``, ``finish_abort``). Its first
round runs at start, so a restarted discoverd resumes what a crash interrupted as
soon as the dead process's leases expire.
"""

import logging
import threading

from discoverd import leases, node_control, processing, records
from discoverd.periodic import Periodic
from discoverd.service import Service
from discoverd.state import State

LOG = logging.getLogger(__name__)


def run_once(service: Service, wait: bool = False) -> list[str]:
    """Renew this process's leases; resume expired ones, each in its own thread
    (renewals go on while they run). Return the UUIDs found expired.

    :param wait: join the resuming threads before returning (tests).
    """
    leases.renew(service.db, service.owner)
    found = leases.expired(service.db, service.lease_time)
    threads = [threading.Thread(target=processing.resume, args=(service, uuid),
                                name=f"discoverd-resume-{uuid}", daemon=True)
               for uuid in found]
    for uuid, state, dead_owner in leases.stalled(service.db, service.lease_time):
        if not leases.take_over(service.db, uuid, state, dead_owner, service.owner,
                                service.lease_time):
            continue  # another process took it first
        found.append(uuid)
        threads.append(threading.Thread(
            target=_end_stalled, args=(service, uuid, state, dead_owner),
            name=f"discoverd-end-{uuid}", daemon=True))
    for thread in threads:
        thread.start()
    for thread in threads if wait else ():
        thread.join()
    return found


def _end_stalled(service: Service, uuid: str, state: State, dead_owner: str) -> None:
    """End a start or an abort whose process died (in its own thread: an abort
    powers the node off through Ironic)."""
    try:
        if state == State.aborting:
            node_control.finish_abort(service, uuid, records.get(service.db, uuid).manage_boot)
        else:
            node_control.end_stalled_start(service, uuid, dead_owner)
    except Exception:  # held by this live process now: the introspection timeout ends it
        LOG.exception("ending the %s left by %s of node %s failed", state, dead_owner, uuid)


def keeper(service: Service) -> Periodic:
    """The lease keeper's thread: ``run_once`` every ``lease_time / 3`` seconds, the
    first round at start."""
    return Periodic("discoverd-leases", service.lease_time / 3, lambda: run_once(service),
                    "lease check", at_start=True)
