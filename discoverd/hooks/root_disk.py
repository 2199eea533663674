"""root_disk_selection: pick the root disk by the node's root device hints."""

from typing import Any

from discoverd.exception import HookError
from discoverd.hooks.base import ProcessingHook
from discoverd.node_info import NodeInfo

GiB = 1024 ** 3
_STRING_HINTS = ("name", "model", "vendor", "serial", "wwn", "hctl", "by_path")


def _matches(disk: dict[str, Any], hints: dict[str, Any]) -> bool:
    for key, wanted in hints.items():
        if key == "size":
            try:
                size_gib = int(str(wanted).lstrip("=").strip().split()[-1])
            except (ValueError, IndexError):
                raise HookError(f"root device hint size={wanted!r} is not a number of "
                                f"GiB") from None
            if (disk.get("size") or 0) // GiB != size_gib:
                return False
        elif key == "rotational":
            if str(disk.get("rotational")).lower() != str(wanted).lower():
                return False
        elif key in _STRING_HINTS:
            have = str(disk.get(key) or "")
            if key == "name" and not str(wanted).startswith("/dev/"):
                have = have.removeprefix("/dev/")
            if have.lower() != str(wanted).lower():
                return False
        else:
            raise HookError(f"unknown root device hint {key!r}; supported: size, "
                            f"rotational, {', '.join(_STRING_HINTS)}")
    return True


def select_root_disk(disks: list[dict[str, Any]], hints: dict[str, Any]
                     ) -> dict[str, Any] | None:
    """Return the first disk matching every hint, or None.

    :raises HookError: for a hint that cannot be evaluated.
    """
    return next((disk for disk in disks if _matches(disk, hints)), None)


class RootDiskSelectionHook(ProcessingHook):
    """Set ``introspection_data["root_disk"]`` from ``properties.root_device`` hints.

    Without hints nothing is chosen (the scheduler hook then uses the largest disk).
    """

    def before_update(self, introspection_data: dict[str, Any], node_info: NodeInfo,
                      **kwargs: Any) -> None:
        hints = node_info.properties.get("root_device")
        if not hints:
            return
        if not isinstance(hints, dict):
            raise HookError(f"properties.root_device must be an object, got {hints!r}")
        disks = (introspection_data.get("inventory") or {}).get("disks") or []
        disk = select_root_disk(disks, hints)
        if disk is None:
            names = ", ".join(str(d.get("name")) for d in disks) or "none"
            raise HookError(f"no disk matches root device hints {hints}; disks: {names}")
        introspection_data["root_disk"] = disk
