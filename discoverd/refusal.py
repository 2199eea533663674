"""A ramdisk payload refused at the API edge still ends the introspection it names.

The ramdisk that sent invalid data would send the same data again; leaving the
introspection ``waiting`` would only delay the failure until the timeout. When the
refused payload's MACs or BMC address single out a node waiting for its ramdisk,
that introspection ends in ``error`` with the reason, as a processing failure does.
"""

import logging
from typing import Any

from baremetal_common.node_log import node_log
from discoverd import exception, lookup, records
from discoverd.node_control import power_off
from discoverd.service import Service
from discoverd.state import Event

LOG = logging.getLogger(__name__)


def end_introspection(service: Service, payload: Any, reason: str) -> str | None:
    """End the introspection ``payload`` belongs to in error; return its node UUID.

    Nothing happens (None) when the payload names no node, several nodes, or a node
    that is not waiting for ramdisk data. ``reason`` must be storable text.
    """
    keys = lookup.lookup_keys(payload)
    if not keys:
        return None
    try:
        uuid = lookup.choose(keys, records.find_by_attributes(service.db, keys))
        # Claim the record as processing would: only one request can win it.
        record = records.transition(service.db, uuid, Event.process)
    except exception.DiscoverdError as exc:
        LOG.info("refused ramdisk data (%s) not attributed to a node: %s", reason, exc)
        return None
    error = f"Node {uuid}: the ramdisk data was refused: {reason}"
    node_log(LOG, uuid).error("introspection failed: %s", error)
    records.transition(service.db, uuid, Event.error, error=error)
    service.introspection_ended(uuid)
    if service.power_off and record.manage_boot:
        power_off(service, uuid)
    return uuid
