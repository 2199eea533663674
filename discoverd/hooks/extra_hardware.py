"""extra_hardware: the ``data`` fact list as a nested dict on the node or in our data.

Option: ``[extra_hardware] store`` (formerly ``[processing] extra_hardware_store``).
"""

import logging
from typing import Any

from oslo_config import cfg

from baremetal_common.node_log import node_log
from discoverd.exception import HookError
from discoverd.hooks.base import ProcessingHook
from discoverd.node_info import NodeInfo

LOG = logging.getLogger(__name__)


def facts_to_dict(facts: list[Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Turn ``[[class, name, key, value], ...]`` into ``{class: {name: {key: value}}}``.

    :raises HookError: for an item that is not a 4-item list of which the first
        three are strings.
    """
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for index, item in enumerate(facts):
        if (not isinstance(item, list | tuple) or len(item) != 4
                or not all(isinstance(part, str) for part in item[:3])):
            raise HookError(f"data[{index}] = {item!r} is not [class, name, key, value]")
        cls, name, key, value = item
        result.setdefault(cls, {}).setdefault(name, {})[key] = value
    return result


class ExtraHardwareHook(ProcessingHook):
    """Store the hardware facts as ``extra_hardware`` (and ``node.extra.hardware``)."""

    group = "extra_hardware"
    opts = [
        cfg.StrOpt("store", default="node_extra", choices=["node_extra", "data"],
                   deprecated_opts=[cfg.DeprecatedOpt("extra_hardware_store",
                                                      group="processing")],
                   help="Where the hardware facts go: node.extra['hardware'] in Ironic "
                        "and discoverd's processed data, or only the processed data."),
    ]

    def before_update(self, introspection_data: dict[str, Any], node_info: NodeInfo,
                      **kwargs: Any) -> None:
        facts = introspection_data.pop("data", None)
        if facts is None:
            node_log(LOG, node_info.uuid).info("the ramdisk sent no hardware facts")
            return
        if not isinstance(facts, list):
            raise HookError(f"'data' must be a list of 4-item lists, got {type(facts).__name__}")
        hardware = facts_to_dict(facts)
        introspection_data["extra_hardware"] = hardware
        if self.options.store == "node_extra":
            node_info.set_field("/extra/hardware", hardware)
