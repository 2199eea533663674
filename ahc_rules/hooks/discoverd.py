"""The ``ahc`` discoverd processing hook: give the node a role while it is introspected.

Enable it in ``[processing] hooks`` (before ``extra_hardware`` keeps the exact fact
list; after it, the list is rebuilt from ``extra_hardware``) with ``[ahc] rules_dir``
set. Counts include every node holding a profile in Ironic (read through the
service's Ironic client) plus the places other introspections claimed but have not
written yet (:mod:`ahc_rules.introspection_match`). On a match the node gets ``profile:<role>``
(other capabilities kept) and ``extra.ahc`` = ``{"profile", "variables"}`` (the
captured and cmdb values, e.g. ``hostname``); on no match nothing changes.
"""

from __future__ import annotations

import logging
from typing import Any

from oslo_config import cfg

from ahc_rules.exception import AhcError
from ahc_rules.hooks import options
from ahc_rules.introspection_match import claim_role, fact_list
from ahc_rules.matcher import NodeFacts
from ahc_rules.rules_dir import load_rules
from baremetal_common.node_log import node_log
from discoverd import exception
from discoverd.exception import HookError
from discoverd.hooks.base import ProcessingHook
from discoverd.node_info import NodeInfo

LOG = logging.getLogger(__name__)


class AhcHook(ProcessingHook):
    """Match the node against ``[ahc] rules_dir`` and record its profile.

    :raises ConfigError: at start, when the rules directory is unset or does not load.
    """

    group = options.DISCOVERD_GROUP
    opts = options.opts

    def __init__(self, conf: cfg.ConfigOpts | None = None) -> None:
        super().__init__(conf)
        rules_dir = self.options.rules_dir
        if not rules_dir:
            raise exception.ConfigError(
                reason="the 'ahc' processing hook needs [ahc] rules_dir (a directory "
                       "with 'state' and <role>.specs)")
        try:
            load_rules(rules_dir)
        except AhcError as exc:
            raise exception.ConfigError(reason=f"[ahc] rules_dir: {exc}") from None
        self.rules_dir = rules_dir

    def before_update(self, introspection_data: dict[str, Any], node_info: NodeInfo,
                      **kwargs: Any) -> None:
        uuid = node_info.uuid
        items = fact_list(introspection_data.get("data"),
                          introspection_data.get("extra_hardware"))
        if not items:
            node_log(LOG, uuid).info("ahc: the ramdisk sent no hardware facts; no role")
            return
        ironic = kwargs.get("ironic")
        profiles = ironic.node_profiles if ironic is not None else dict
        try:
            role, variables = claim_role(self.rules_dir, uuid, NodeFacts(items), profiles,
                                         lock_timeout=self.options.lock_timeout)
        except AhcError as exc:
            raise HookError(f"ahc: {exc}") from None
        if role is None:
            node_log(LOG, uuid).info("ahc: no role of %s matches (or all are full); "
                                     "node left without a profile", self.rules_dir)
            return
        node_info.update_capabilities(profile=role)
        node_info.set_field("/extra/ahc", {"profile": role, "variables": variables})
        node_log(LOG, uuid).info(
            "ahc: profile %s%s", role,
            f" (hostname {variables['hostname']})" if "hostname" in variables else "")
