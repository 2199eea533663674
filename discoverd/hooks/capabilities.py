"""capabilities: boot mode and CPU features as node capabilities."""

from typing import Any

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

    def before_update(self, introspection_data: dict[str, Any], node_info: NodeInfo,
                      **kwargs: Any) -> None:
        caps = detect_capabilities(introspection_data.get("inventory") or {},
                                   self.settings.cpu_flags,
                                   self.settings.boot_mode_capability)
        if caps:
            node_info.update_capabilities(**caps)
