"""Ending an introspection whose node DHCP keeps refusing an address (beside
``timeouts``: both end records; ``pxe_filter.dnsmasq_log`` reads the log).

A daemon thread in each discoverd process follows dnsmasq's log (``[dhcp_log]
dnsmasq_log_file``), keeps ``LeaseFailures`` up to date and, every poll, ends in
``error`` the waiting introspections whose MACs are overdue (``dnsmasq_log.overdue``),
with the reason in the record, so that ``openstack baremetal introspection status``
and Ironic's ``last_error`` say why within ``no_lease_grace`` seconds. The state
change is a compare-and-swap on the record's version: when several processes
watch, or the ramdisk's data arrives meanwhile, only one outcome wins.
"""

from __future__ import annotations

import datetime
import logging
import os
from pathlib import Path

from baremetal_common.node_log import node_log
from discoverd import exception, records
from discoverd.db.models import utcnow
from discoverd.node_control import power_off
from discoverd.periodic import Periodic
from discoverd.pxe_filter import dnsmasq_log
from discoverd.service import Service
from discoverd.state import Event, State

LOG = logging.getLogger(__name__)

#: On first open, read at most this much of the log's end (older lines cannot
#: concern a running introspection, whose start they would predate).
BACKLOG_BYTES = 1024 * 1024
#: Refusals of MACs nobody waits for are forgotten after this long.
KEEP = datetime.timedelta(hours=6)


class LogFollower:
    """New complete lines of a file that may be rotated or truncated."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._inode: int | None = None
        self._offset = 0
        self._partial = b""

    def read_lines(self) -> list[str]:
        """Lines appended since the last call (none while the file is missing)."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return []
        if self._inode is None:  # first open: only the recent end
            self._offset = max(0, stat.st_size - BACKLOG_BYTES)
        elif stat.st_ino != self._inode or stat.st_size < self._offset:
            self._offset, self._partial = 0, b""  # rotated or truncated
        self._inode = stat.st_ino
        with open(self.path, "rb") as f:
            f.seek(self._offset)
            data = f.read()
        self._offset += len(data)
        *lines, self._partial = (self._partial + data).split(b"\n")
        return [line.decode(errors="replace") for line in lines]


def end_overdue(service: Service, failures: dnsmasq_log.LeaseFailures,
                grace: float, now: datetime.datetime | None = None) -> list[str]:
    """End the waiting introspections whose MACs are overdue; return their UUIDs."""
    now = now or utcnow()
    refused = failures.refused()
    if not refused:
        return []
    rows = records.find_by_attributes(
        service.db, [("mac", mac) for mac in refused])
    ended = []
    for uuid in sorted({row[0] for row in rows if row[1] == State.waiting}):
        try:
            record = records.get(service.db, uuid)
        except exception.IntrospectionNotFound:
            continue
        if record.state != State.waiting:
            continue
        macs = [row[3] for row in rows if row[0] == uuid and row[2] == "mac"]
        late = [refused[m] for m in macs
                if dnsmasq_log.overdue(refused[m], record.started_at, now, grace)]
        if not late:
            continue
        error = f"Node {uuid}: " + "; ".join(r.describe() for r in late)
        try:
            records.transition(service.db, uuid, Event.error, error=error,
                                      expect_version=record.version_id)
        except (exception.ConcurrentUpdate, exception.InvalidTransition,
                exception.IntrospectionNotFound):
            continue  # its data arrived, or another process ended it
        node_log(LOG, uuid).error("introspection failed: %s", error)
        service.introspection_ended(uuid)
        if service.power_off and record.manage_boot:
            power_off(service, uuid)
        ended.append(uuid)
    return ended


class NoLeaseWatcher:
    """Follow dnsmasq's log and run ``end_overdue`` every ``poll_interval`` seconds."""

    def __init__(self, service: Service, log_file: str | os.PathLike[str],
                 grace: float, poll_interval: float = 1.0) -> None:
        self.service, self.grace, self.poll_interval = service, grace, poll_interval
        self.follower = LogFollower(log_file)
        self.failures = dnsmasq_log.LeaseFailures()
        self._periodic = Periodic("discoverd-no-lease", poll_interval, self.poll,
                                  "DHCP log check")

    def start(self) -> None:
        self._periodic.start()
        LOG.info("following %s for nodes refused a DHCP lease (grace %s s)",
                 self.follower.path, self.grace)

    def poll(self) -> list[str]:
        """Read new log lines, then end overdue introspections; return their UUIDs."""
        now = utcnow()
        for line in self.follower.read_lines():
            event = dnsmasq_log.parse(line)
            if event is not None:
                self.failures.feed(event, dnsmasq_log.event_time(event.stamp, now))
        self.failures.prune(now - KEEP)
        return end_overdue(self.service, self.failures, self.grace, now)

    def stop(self) -> None:
        self._periodic.stop()


def from_conf(conf, service: Service) -> NoLeaseWatcher | None:
    """The watcher ``[dhcp_log]`` asks for, or None when no log file is set."""
    group = conf.dhcp_log
    if not group.dnsmasq_log_file:
        return None
    return NoLeaseWatcher(service, group.dnsmasq_log_file, group.no_lease_grace,
                          group.poll_interval)
