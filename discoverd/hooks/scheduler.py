"""scheduler: the properties Nova's scheduler needs (cpus, memory_mb, local_gb, cpu_arch)."""

from typing import Any

from discoverd.exception import HookError
from discoverd.hooks.base import ProcessingHook
from discoverd.node_info import NodeInfo

GiB = 1024 ** 3
MiB = 1024 ** 2


def scheduler_properties(inventory: dict[str, Any], root_disk: dict[str, Any] | None
                         ) -> dict[str, Any]:
    """Compute the scheduling properties from an IPA inventory.

    ``local_gb`` is the root disk (or the largest disk) in GiB minus one, for the
    partition table and rounding; 0 when there is no disk.

    :raises HookError: naming the missing or malformed inventory field.
    """
    cpu = inventory.get("cpu") or {}
    memory = inventory.get("memory") or {}
    try:
        cpus = int(cpu["count"])
        cpu_arch = str(cpu["architecture"])
    except (KeyError, TypeError, ValueError):
        raise HookError("inventory.cpu needs 'count' (integer) and 'architecture'; "
                        f"got {cpu!r}") from None
    try:
        if memory.get("physical_mb"):
            memory_mb = int(memory["physical_mb"])
        else:
            memory_mb = int(memory["total"]) // MiB
    except (KeyError, TypeError, ValueError):
        raise HookError("inventory.memory needs 'physical_mb' or 'total' (bytes); "
                        f"got {memory!r}") from None
    disk = root_disk
    if disk is None:
        disks = [d for d in inventory.get("disks") or [] if isinstance(d, dict)]
        disk = max(disks, key=lambda d: int(d.get("size") or 0), default=None)
    local_gb = max(int(disk.get("size") or 0) // GiB - 1, 0) if disk else 0
    if cpus <= 0 or memory_mb <= 0:
        raise HookError(f"cpus={cpus} and memory_mb={memory_mb} must be positive")
    return {"cpus": cpus, "memory_mb": memory_mb, "local_gb": local_gb, "cpu_arch": cpu_arch}


class SchedulerHook(ProcessingHook):
    """Write cpus, memory_mb, local_gb and cpu_arch into the node's properties."""

    def before_update(self, introspection_data: dict[str, Any], node_info: NodeInfo,
                      **kwargs: Any) -> None:
        props = scheduler_properties(introspection_data.get("inventory") or {},
                                     introspection_data.get("root_disk"))
        introspection_data.update(props)
        node_info.update_properties(**props)
