"""The objects one discoverd instance works with, gathered in one place.

Built by ``app.create_app`` from the configuration (or by tests from parts) and
stored in ``app.extensions["discoverd"]``; no module globals.
"""

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

from oslo_config import cfg

from baremetal_common.node_log import node_log
from discoverd.db.api import Database
from discoverd.hooks.manager import HookManager
from discoverd.leases import new_owner

LOG = logging.getLogger(__name__)


@dataclasses.dataclass
class Service:
    """Database, Ironic client, hooks and the settings the API needs.

    :ivar ironic: an ``IronicClient`` (or anything with its methods).
    """

    db: Database
    ironic: Any
    hooks: HookManager
    timeout: int = 3600
    power_off: bool = True
    store_data: bool = True
    api_max_limit: int = 1000
    pxe_filter: Any = None  # a discoverd.pxe_filter.sync.PXEFilter, or None
    #: auto-discovery (a ``discoverd.discovery.Enroller``), or None when off
    discovery: Any = None
    lease_time: float = 15.0
    #: this process, as owner of the records it processes (``discoverd.leases``)
    owner: str = dataclasses.field(default_factory=new_owner)
    end_listeners: list[Callable[[str], None]] = dataclasses.field(default_factory=list)

    def introspection_ended(self, uuid: str) -> None:
        """Tell the listeners (the PXE filter syncer) that ``uuid``'s introspection
        ended: finished, failed, aborted or timed out. A listener's failure is logged."""
        for listener in self.end_listeners:
            try:
                listener(uuid)
            except Exception:
                node_log(LOG, uuid).exception("end-of-introspection listener failed")

    @classmethod
    def from_conf(cls, conf: cfg.ConfigOpts, ironic: Any = None) -> "Service":
        """Build every part from ``conf``; ``ironic`` replaces the configured client."""
        if ironic is None:
            from discoverd.ironic import from_conf

            ironic = from_conf(conf.ironic.url, conf.ironic.cloud, conf.ironic.timeout)
        proc = conf.processing
        db = Database(conf.database.connection)
        if conf.database.upgrade_on_start:
            db.upgrade()
        from discoverd.discovery import from_conf as discovery_from_conf
        from discoverd.pxe_filter.sync import from_conf as pxe_filter_from_conf

        return cls(db=db, ironic=ironic, hooks=HookManager(proc.hooks, conf),
                   timeout=conf.timeout, power_off=conf.power_off,
                   store_data=proc.store_data, api_max_limit=conf.api_max_limit,
                   lease_time=proc.lease_time,
                   pxe_filter=pxe_filter_from_conf(conf),
                   discovery=discovery_from_conf(conf))
