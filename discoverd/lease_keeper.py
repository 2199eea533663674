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


class LeaseKeeper:
    """Run ``run_once`` every ``lease_time / 3`` seconds in a daemon thread."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.period = service.lease_time / 3
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="discoverd-leases",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                run_once(self.service)
            except Exception:  # keep the thread alive through database hiccups
                LOG.exception("lease check failed; retrying in %s s", self.period)
            if self._stop.wait(self.period):
                return

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
