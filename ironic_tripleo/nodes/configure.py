"""``node configure``: deploy images, boot options and the root device, per node.

The root device comes from the node's inspection inventory (Ironic's
``/v1/nodes/{id}/inventory`` after built-in inspection, else discoverd's
introspection data), as TripleO chooses it: among disks of at least
``minimum_size`` GiB, the ``smallest``, the ``largest`` or the first present of a
list of device names; the hint is its ``wwn_with_extension``, ``wwn`` or ``serial``
(the first known) and ``local_gb`` becomes its size in GiB minus 1 (for the
partition table). Nodes that already have root device hints keep them unless
``overwrite`` is set.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import openstack.exceptions

from baremetal_common.capabilities import format_capabilities, parse_capabilities

LOG = logging.getLogger(__name__)
GiB = 1024 ** 3
HINT_KEYS = ("wwn_with_extension", "wwn", "serial")
STRATEGIES = ("smallest", "largest")



@dataclasses.dataclass
class Configured:
    """What was set on one node."""

    uuid: str
    name: str
    root_device: dict[str, Any] | None = None
    local_gb: int | None = None
    error: str | None = None
    changes: list[str] = dataclasses.field(default_factory=list)


def inspection_inventory(conn: Any, node: Any) -> dict[str, Any] | None:
    """The node's hardware inventory: Ironic's built-in inspection, else discoverd."""
    try:
        data = conn.baremetal.get_node_inventory(node.id)
        inventory = data.get("inventory") if isinstance(data, dict) else None
        if inventory:
            return inventory
    except openstack.exceptions.SDKException as exc:
        LOG.debug("node %s: no inventory in Ironic (%s)", node.id, exc)
    try:
        data = conn.baremetal_introspection.get_introspection_data(node.id)
    except (openstack.exceptions.SDKException, LookupError) as exc:
        LOG.debug("node %s: no introspection data (%s)", node.id, exc)
        return None
    return data.get("inventory") if isinstance(data, dict) else None


def choose_root_device(disks: list[dict[str, Any]], strategy: str,
                       minimum_size_gib: int) -> dict[str, Any]:
    """The disk for ``strategy`` (smallest, largest, or comma-separated names).

    :raises ValueError: naming why no disk fits.
    """
    fitting = [d for d in disks if isinstance(d.get("size"), int)
               and d["size"] >= minimum_size_gib * GiB]
    if not fitting:
        raise ValueError(f"no disk of at least {minimum_size_gib} GiB among "
                         f"{', '.join(str(d.get('name')) for d in disks) or 'no disks'}")
    if strategy in STRATEGIES:
        return sorted(fitting, key=lambda d: d["size"],
                      reverse=strategy == "largest")[0]
    names = [n.strip() for n in strategy.split(",") if n.strip()]
    for name in names:
        for disk in fitting:
            if disk.get("name") in (name, f"/dev/{name}"):
                return disk
    raise ValueError(f"none of the disks {', '.join(names)} is present with at least "
                     f"{minimum_size_gib} GiB")


def root_device_hint(disk: dict[str, Any]) -> dict[str, str]:
    """``{wwn_with_extension|wwn|serial: value}``: the first the disk has."""
    for key in HINT_KEYS:
        if disk.get(key):
            return {key: disk[key]}
    raise ValueError(f"disk {disk.get('name')} has no WWN nor serial number: root device "
                     "hints cannot name it")


def configure(conn: Any, nodes: list[Any], *, deploy_kernel: str | None = None,
              deploy_ramdisk: str | None = None, boot_option: str | None = None,
              boot_mode: str | None = None, root_device: str | None = None,
              minimum_size_gib: int = 4, overwrite: bool = False) -> list[Configured]:
    """Configure each node; a node that cannot be is reported with its error."""
    results = []
    for node in nodes:
        result = Configured(node.id, node.name or node.id)
        patch = []
        for key, value in (("deploy_kernel", deploy_kernel),
                           ("deploy_ramdisk", deploy_ramdisk)):
            if value and (node.driver_info or {}).get(key) != value:
                patch.append({"op": "add", "path": f"/driver_info/{key}", "value": value})
                result.changes.append(key)
        caps = parse_capabilities((node.properties or {}).get("capabilities"))
        wanted = {k: v for k, v in (("boot_option", boot_option), ("boot_mode", boot_mode))
                  if v}
        if any(caps.get(k) != v for k, v in wanted.items()):
            caps.update(wanted)
            patch.append({"op": "add", "path": "/properties/capabilities",
                          "value": format_capabilities(caps)})
            result.changes.extend(sorted(wanted))
        if root_device:
            try:
                patch += _root_device_patch(conn, node, root_device, minimum_size_gib,
                                            overwrite, result)
            except ValueError as exc:
                result.error = str(exc)
        if patch:
            try:
                conn.baremetal.patch_node(node, patch)
            except openstack.exceptions.SDKException as exc:
                result.error = f"update refused: {exc}"
        results.append(result)
    return results


def _root_device_patch(conn: Any, node: Any, strategy: str, minimum_size_gib: int,
                       overwrite: bool, result: Configured) -> list[dict[str, Any]]:
    existing = (node.properties or {}).get("root_device")
    if existing and not overwrite:
        LOG.info("node %s: keeps its root device hints %s", result.name, existing)
        result.root_device = existing
        return []
    inventory = inspection_inventory(conn, node)
    if inventory is None:
        raise ValueError("no inspection data: introspect the node first")
    disks = inventory.get("disks")
    if not isinstance(disks, list):
        raise ValueError("the inspection inventory has no disks list")
    disk = choose_root_device(disks, strategy, minimum_size_gib)
    result.root_device = root_device_hint(disk)
    result.local_gb = disk["size"] // GiB - 1
    result.changes += ["root_device", "local_gb"]
    LOG.info("node %s: root device %s (%s), local_gb %d", result.name, disk.get("name"),
             result.root_device, result.local_gb)
    return [{"op": "add", "path": "/properties/root_device", "value": result.root_device},
            {"op": "add", "path": "/properties/local_gb", "value": result.local_gb}]
