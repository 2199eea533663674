"""Auto-discovery: enroll a machine that no introspection expects.

Ramdisk data that matches no node under introspection is, with ``[discovery]
enroll_unknown``, turned into a new Ironic node: hardware type
``enroll_node_driver``, ``driver_info.ipmi_address`` from the reported BMC address,
``enroll_node_fields``, and a port for the boot MAC. An introspection record is then
created in ``waiting`` (discoverd manages no boot for it) so that the data is
processed as any other, with ``auto_discovered: true`` in it for rules.

A MAC that Ironic already has is never enrolled again: that node must be
introspected. Two discoverd processes given the same unknown machine at once both
create a node; Ironic's unique port MAC lets one of them create the port, and the
other deletes its node and refuses the data (the ramdisk retries and finds the
winner's introspection).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from baremetal_common.node_log import node_log
from discoverd import exception, lookup, records
from discoverd.state import Event

LOG = logging.getLogger(__name__)

#: The key rules match on (``data://auto_discovered``).
AUTO_DISCOVERED = "auto_discovered"


@dataclasses.dataclass
class Enroller:
    """Creates nodes for unknown machines.

    :param driver: hardware type of the new nodes.
    :param fields: other node fields (``resource_class``...).
    """

    driver: str
    fields: dict[str, str] = dataclasses.field(default_factory=dict)

    def enroll(self, ironic: Any, db: Any, payload: dict[str, Any]) -> str:
        """Create the node and its waiting introspection; return the node's UUID.

        :raises LookupFailed: no valid MAC, or a MAC Ironic already has.
        :raises IronicError: Ironic refused the node or its port.
        """
        keys = lookup.lookup_keys(payload)
        macs = [value for name, value in keys if name == "mac"]
        bmcs = [value for name, value in keys if name == "bmc_address"]
        if not macs:
            raise exception.LookupFailed(what=lookup.describe(keys),
                                         reason="auto-discovery needs a valid MAC")
        for mac in macs:
            port = ironic.find_port(mac)
            if port is not None:
                raise exception.LookupFailed(
                    what=f"MAC {mac}",
                    reason=f"Ironic has it on node {port['node_uuid']}, which is not under "
                           f"introspection; introspect that node (auto-discovery enrolls "
                           f"unknown machines only)")
        boot = lookup.normalize_mac(payload.get("boot_interface")) or macs[0]
        driver_info = {"ipmi_address": bmcs[0]} if bmcs else {}
        node = ironic.create_node(driver=self.driver, driver_info=driver_info,
                                  **self.fields)
        uuid = node["id"]
        try:
            ironic.create_port(uuid, boot, True)
        except exception.IronicError:
            ironic.delete_node(uuid)
            raise
        records.start(db, uuid, False, {"mac": macs, "bmc_address": bmcs})
        records.transition(db, uuid, Event.wait)
        node_log(LOG, uuid).info("auto-discovered: enrolled with driver %s, boot MAC %s, "
                                 "BMC %s", self.driver, boot, bmcs[0] if bmcs else None)
        return uuid


def from_conf(conf: Any) -> Enroller | None:
    """The enroller ``[discovery]`` asks for, or None when auto-discovery is off."""
    group = conf.discovery
    if not group.enroll_unknown:
        return None
    return Enroller(group.enroll_node_driver, dict(group.enroll_node_fields))
