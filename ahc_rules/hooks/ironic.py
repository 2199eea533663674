"""The ``ahc`` hook of Ironic's built-in inspection (``ironic.inspection.hooks``).

Enable it in Ironic's ``[inspector] hooks`` (after ``extra-hardware`` is fine) with
``[tripleo_ahc] rules_dir`` set. Facts are the ramdisk's ``hardware-detect`` list
(``plugin_data['data']``); ``extra-hardware`` removes that list, so it is kept aside
in :meth:`AhcInspectionHook.preprocess`, which runs before every hook. Counts are
the ``profile`` capabilities of all nodes in Ironic's database plus the places other
inspections claimed but have not saved yet (:mod:`ahc_rules.introspection_match`). On a match
the node gets ``profile:<role>`` (other capabilities kept) and ``extra['ahc']``;
on no match nothing changes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from ironic.common import exception as ironic_exception
from ironic.common import utils as ironic_utils
from ironic.drivers.modules.inspector.hooks import base
from ironic.objects import node as node_objects
from oslo_config import cfg

from ahc_rules.exception import AhcError
from ahc_rules.hooks import options
from ahc_rules.introspection_match import claim_role, fact_list
from ahc_rules.ironic import parse_capabilities
from ahc_rules.matcher import NodeFacts
from baremetal_common.node_log import node_log

LOG = logging.getLogger(__name__)
CONF = cfg.CONF
CONF.register_opts(options.opts, group=options.IRONIC_GROUP)


def profiles_in_db(context: Any) -> dict[str, str]:
    """Node UUID -> ``profile`` capability for every node of Ironic's database."""
    nodes = node_objects.Node.list(context, fields=["uuid", "properties"])
    result = {}
    for node in nodes:
        profile = parse_capabilities((node.properties or {}).get("capabilities")).get(
            "profile")
        if profile:
            result[node.uuid] = profile
    return result


class AhcInspectionHook(base.InspectionHook):
    """Match the node against ``[tripleo_ahc] rules_dir`` and set its profile."""

    def __init__(self) -> None:
        # The conductor keeps one instance for all nodes (an exclusive lock per node).
        self._facts: dict[str, list[Sequence[Any]]] = {}
        self._guard = threading.Lock()

    def preprocess(self, task: Any, inventory: dict, plugin_data: dict) -> None:
        """Keep the fact list before ``extra-hardware`` replaces it."""
        items = fact_list(plugin_data.get("data"), None)
        if items:
            with self._guard:
                self._facts[task.node.uuid] = [list(item) for item in items]

    def __call__(self, task: Any, inventory: dict, plugin_data: dict) -> None:
        node = task.node
        with self._guard:
            kept = self._facts.pop(node.uuid, None)
        items = fact_list(plugin_data.get("data"), None) or kept or fact_list(
            None, plugin_data.get("extra"))
        if not items:
            node_log(LOG, node.uuid).info("ahc: no hardware facts in the inspection data; no role")
            return
        rules_dir = CONF[options.IRONIC_GROUP].rules_dir
        if not rules_dir:
            raise ironic_exception.HardwareInspectionFailure(
                error="the 'ahc' inspection hook needs [tripleo_ahc] rules_dir")
        try:
            role, variables = claim_role(
                rules_dir, node.uuid, NodeFacts(items),
                lambda: profiles_in_db(task.context),
                lock_timeout=CONF[options.IRONIC_GROUP].lock_timeout)
        except AhcError as exc:
            raise ironic_exception.HardwareInspectionFailure(
                error=f"node {node.uuid}: ahc: {exc}") from None
        if role is None:
            node_log(LOG, node.uuid).info("ahc: no role of %s matches (or all are full); "
                                          "node left without a profile", rules_dir)
            return
        caps = ironic_utils.get_updated_capabilities(
            node.properties.get("capabilities"), {"profile": role})
        node.set_property("capabilities", caps)
        extra = dict(node.extra or {})
        extra["ahc"] = {"profile": role, "variables": variables}
        node.extra = extra
        node.save()
        node_log(LOG, node.uuid).info("ahc: profile %s", role)
