"""capabilities: boot mode and CPU features as node capabilities (``[capabilities]``)."""

from typing import Any

from oslo_config import cfg

from discoverd.hooks.base import ProcessingHook
from discoverd.node_info import NodeInfo


def detect_capabilities(inventory: dict[str, Any], cpu_flags: dict[str, str],
                        boot_mode: bool = True) -> dict[str, str]:
    """Return capabilities for the inventory's boot mode and CPU flags."""
    caps: dict[str, str] = {}
    mode = (inventory.get("boot") or {}).get("current_boot_mode")
    if boot_mode and mode in ("bios", "uefi"):
        caps["boot_mode"] = mode
    flags = set((inventory.get("cpu") or {}).get("flags") or [])
    for flag, name in sorted(cpu_flags.items()):
        if flag in flags:
            caps[name] = "true"
    return caps


class CapabilitiesHook(ProcessingHook):
    """Add ``boot_mode`` and ``cpu_*`` capabilities to the node."""

    group = "capabilities"
    opts = [
        cfg.BoolOpt("boot_mode", default=True,
                    deprecated_opts=[cfg.DeprecatedOpt("boot_mode_capability",
                                                       group="processing")],
                    help="Set the boot_mode capability (bios or uefi) from the "
                         "ramdisk's inventory."),
        cfg.DictOpt("cpu_flags", default={"vmx": "cpu_vt", "svm": "cpu_vt",
                                          "aes": "cpu_aes", "pse": "cpu_hugepages",
                                          "pdpe1gb": "cpu_hugepages_1g", "smx": "cpu_txt"},
                    deprecated_group="processing",
                    help="CPU flag -> capability set to 'true' when the CPU has the flag."),
    ]

    def before_update(self, introspection_data: dict[str, Any], node_info: NodeInfo,
                      **kwargs: Any) -> None:
        caps = detect_capabilities(introspection_data.get("inventory") or {},
                                   self.options.cpu_flags, self.options.boot_mode)
        if caps:
            node_info.update_capabilities(**caps)
