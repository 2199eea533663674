"""What a deploy writes, read from a node's ``instance_info``: plain functions.

- whole-disk or partition image: ``image_type`` when given, else the conductor's
  ``is_whole_disk_image``, else "no kernel and ramdisk" (whole disk);
- the partition layout from ``root_gb``, ``swap_mb``, ``ephemeral_gb``,
  ``ephemeral_format``, the boot mode and ``disk_label``;
- the config drive (gzip+base64 text, plain base64, or an http(s) URL) as a file;
- a fresh IQN and CHAP credentials for each deploy (``secrets``).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import gzip
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests

from ironic_tripleo.deploy import partition_image
from ironic_tripleo.exception import InvalidInstanceInfo

IQN_PREFIX = "iqn.2026-11.org.openstack.ironic-tripleo"
WHOLE_DISK, PARTITION = "whole-disk", "partition"


@dataclasses.dataclass(frozen=True)
class Credentials:
    """One deploy's target name and CHAP credentials (the password is never shown)."""

    iqn: str
    username: str
    password: str = dataclasses.field(repr=False)


def new_credentials(node_uuid: str) -> Credentials:
    """Return a fresh IQN ``<prefix>:<node-uuid>-<random>`` and CHAP user/password."""
    return Credentials(iqn=f"{IQN_PREFIX}:{node_uuid}-{secrets.token_hex(4)}",
                       username=f"ironic-{secrets.token_hex(6)}",
                       password=secrets.token_hex(16))


def image_type(info: Mapping[str, Any], is_whole_disk: bool | None = None) -> str:
    """Return ``whole-disk`` or ``partition`` for ``instance_info``.

    :param is_whole_disk: the conductor's ``driver_internal_info.is_whole_disk_image``.
    """
    explicit = info.get("image_type")
    if explicit in (WHOLE_DISK, PARTITION):
        return str(explicit)
    if is_whole_disk is not None:
        return WHOLE_DISK if is_whole_disk else PARTITION
    has_kernel = bool(info.get("kernel") and info.get("ramdisk"))
    return PARTITION if has_kernel else WHOLE_DISK


def _int(node: str, info: Mapping[str, Any], field: str, minimum: int = 0) -> int:
    value = info.get(field) or 0
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInstanceInfo(node=node, field=field,
                                  reason=f"{value!r} is not an integer") from None
    if number < minimum:
        raise InvalidInstanceInfo(node=node, field=field,
                                  reason=f"{number} is below {minimum}")
    return number


def layout(info: Mapping[str, Any], boot_mode: str, disk_label: str | None,
           has_configdrive: bool, node: str = "?") -> partition_image.Layout:
    """Return the partition layout asked for by ``instance_info``.

    :param boot_mode: ``bios`` or ``uefi`` (Ironic's boot mode of the node).
    :param disk_label: ``gpt``/``msdos``; None -> gpt for UEFI, msdos for BIOS.
    :raises InvalidInstanceInfo: a size that is not a non-negative integer, or a bad
        ``ephemeral_format``/``disk_label``.
    """
    label = disk_label or ("gpt" if boot_mode == "uefi" else "msdos")
    if label not in ("gpt", "msdos"):
        raise InvalidInstanceInfo(node=node, field="capabilities.disk_label",
                                  reason=f"{label!r}: allowed gpt or msdos")
    fmt = str(info.get("ephemeral_format") or "ext4")
    if fmt not in ("ext2", "ext3", "ext4", "xfs", "vfat"):
        raise InvalidInstanceInfo(node=node, field="ephemeral_format",
                                  reason=f"{fmt!r}: allowed ext2, ext3, ext4, xfs, vfat")
    root_gb = _int(node, info, "root_gb")
    return partition_image.Layout(
        label=label, boot_mode=boot_mode, swap_mb=_int(node, info, "swap_mb"),
        ephemeral_mb=_int(node, info, "ephemeral_gb") * 1024, ephemeral_format=fmt,
        configdrive=has_configdrive, root_mb=root_gb * 1024 if root_gb else None)


def write_configdrive(value: str, dest: Path, node: str = "?",
                      http_timeout: float = 60.0) -> Path:
    """Write the config drive image named by ``instance_info.configdrive`` to ``dest``.

    :param value: gzip+base64 (what Ironic stores), plain base64, or an http(s) URL.
    :raises InvalidInstanceInfo: undecodable, or the URL cannot be fetched.
    """
    if value.startswith(("http://", "https://")):
        try:
            r = requests.get(value, timeout=http_timeout)
            r.raise_for_status()
        except requests.RequestException as exc:
            raise InvalidInstanceInfo(node=node, field="configdrive",
                                      reason=f"cannot fetch it: {exc}") from exc
        data = r.content
    else:
        try:
            data = base64.b64decode(value, validate=False)
        except (binascii.Error, ValueError) as exc:
            raise InvalidInstanceInfo(node=node, field="configdrive",
                                      reason=f"not base64: {exc}") from exc
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InvalidInstanceInfo(node=node, field="configdrive",
                                      reason=f"bad gzip data: {exc}") from exc
    if not data:
        raise InvalidInstanceInfo(node=node, field="configdrive", reason="it is empty")
    dest.write_bytes(data)
    return dest


# Where a Glance image's multihash may be in what Ironic's image service ``show()``
# returns, best first. Ironic 39 reads images through openstacksdk: its top-level
# ``os_hash_algo``/``os_hash_value`` stay None and the values land in ``properties``
# under the SDK's attribute names ``hash_algo``/``hash_value`` (seen with a real Glance).
_MULTIHASH_KEYS = ((False, "os_hash_algo", "os_hash_value"),
                   (True, "os_hash_algo", "os_hash_value"),
                   (True, "hash_algo", "hash_value"))


def glance_checksum_fields(image: Mapping[str, Any]) -> dict[str, Any]:
    """Map a Glance image (Ironic's image service ``show()``) to the instance_info
    checksum fields; the algorithm and its value are always taken from one place."""
    properties = image.get("properties") or {}
    algo = value = None
    for in_properties, algo_key, value_key in _MULTIHASH_KEYS:
        where = properties if in_properties else image
        if where.get(algo_key) and where.get(value_key):
            algo, value = where[algo_key], where[value_key]
            break
    return {"image_os_hash_algo": algo, "image_os_hash_value": value,
            "image_checksum": image.get("checksum")}
