"""Keeping the PXE filter in step with Ironic's ports and discoverd's introspections.

``PXEFilter.sync`` reads every port MAC from Ironic and the running introspections
from the database, decides (``dnsmasq.decide``) and rewrites the hosts directory.
It runs when an introspection starts (before the node is booted), at once when one
ends in this process (so a finished node's MACs are denied before it reboots), and
every ``sync_period`` seconds in a ``FilterSyncer`` thread of each discoverd process
(which catches what other processes did).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from discoverd import exception, records
from discoverd.db.api import Database
from discoverd.periodic import Periodic
from discoverd.pxe_filter.dnsmasq import FilterState, HostsDir, decide

LOG = logging.getLogger(__name__)


class PXEFilter:
    """The dnsmasq filter of one discoverd process.

    :param hostsdir: the ``--dhcp-hostsdir`` directory.
    :param purge: empty it first (before dnsmasq starts reading it).
    """

    def __init__(self, hostsdir: HostsDir, purge: bool = False,
                 discovery: bool = False) -> None:
        self.hostsdir = hostsdir
        self.discovery = discovery  # unknown MACs always boot (auto-discovery)
        self._lock = threading.Lock()
        if purge:
            hostsdir.purge()

    def sync(self, db: Database, ironic: Any) -> FilterState | None:
        """Rewrite the hosts directory from Ironic and the database.

        Returns the state applied, or None when Ironic could not be read or the
        directory not written (the next sync tries again).
        """
        running, macs = records.active_macs(db)
        try:
            known = ironic.list_all_macs()
        except exception.DiscoverdError as exc:
            LOG.warning("PXE filter not synced, Ironic's ports are unknown: %s", exc)
            return None
        state = decide(known, macs, running, discovery=self.discovery)
        with self._lock:
            try:
                self.hostsdir.apply(state)
            except OSError as exc:
                LOG.error("PXE filter not synced: cannot write %s: %s",
                          self.hostsdir.path, exc)
                return None
        return state


def from_conf(conf: Any) -> PXEFilter | None:
    """The filter ``[pxe_filter]`` asks for, or None for the ``noop`` driver."""
    group = conf.pxe_filter
    if group.driver == "noop":
        return None
    return PXEFilter(HostsDir(group.dhcp_hostsdir), purge=group.purge_dhcp_hostsdir,
                     discovery=conf.discovery.enroll_unknown)


class FilterSyncer(Periodic):
    """Run ``pxe_filter.sync`` every ``period`` seconds, and on ``wake``, in a daemon
    thread."""

    def __init__(self, pxe_filter: PXEFilter | None, db: Database, ironic: Any,
                 period: float) -> None:
        self.pxe_filter, self.db, self.ironic = pxe_filter, db, ironic
        super().__init__("discoverd-pxe-filter", period, self._sync, "PXE filter sync",
                         at_start=True)

    def _sync(self) -> None:
        if self.pxe_filter is not None:  # started only with one
            self.pxe_filter.sync(self.db, self.ironic)

    def start(self) -> None:
        if self.pxe_filter is not None:
            super().start()

    def wake(self, *_: Any) -> None:
        """Sync now rather than at the end of the period (an introspection ended)."""
        super().wake()
