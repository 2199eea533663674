"""The inventory: TripleO's ``instackenv.json`` (or the same as YAML), parsed and checked.

Plain functions over data. ``load_inventory`` validates the whole file and reports
every problem at once, each naming the node (its index in ``nodes``, from 0, and its
name) and the field, so nothing is enrolled from a file with a mistake in it.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import logging
import re
from pathlib import Path

import yaml

from ironic_tripleo.exception import TripleOError

LOG = logging.getLogger(__name__)

HARDWARE_TYPE = "tripleo-ipmi"
PM_TYPES = ("ipmi", "pxe_ipmitool", "tripleo-ipmi")
ARCHES = ("x86_64", "i686", "aarch64", "ppc64le", "ppc64", "s390x")
KNOWN_KEYS = {"name", "pm_type", "pm_addr", "pm_port", "pm_user", "pm_password", "mac",
              "cpu", "memory", "disk", "arch", "capabilities", "kernel_id", "ramdisk_id",
              "deploy_kernel", "deploy_ramdisk"}
#: driver_info key -> inventory keys giving it (TripleO's name first, then Ironic's).
IMAGE_KEYS = {"deploy_kernel": ("kernel_id", "deploy_kernel"),
              "deploy_ramdisk": ("ramdisk_id", "deploy_ramdisk")}
NAME_RE = re.compile(r"^[A-Za-z0-9\-._~]+$")
MAC_RE = re.compile(r"^([0-9a-f]{2}:){5}[0-9a-f]{2}$")
HOST_RE = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                     r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")


class InventoryError(TripleOError):
    """A bad inventory; ``errors`` lists each problem."""

    message = "invalid inventory %(source)s:\n  %(details)s"

    def __init__(self, source: str, errors: list[str]) -> None:
        self.errors = errors
        super().__init__(source=source, details="\n  ".join(errors))


@dataclasses.dataclass
class NodeEntry:
    """One machine to enroll, in Ironic's terms."""

    index: int
    name: str | None
    pm_type: str
    address: str
    port: int
    username: str
    password: str = dataclasses.field(repr=False)
    macs: list[str] = dataclasses.field(default_factory=list)
    cpus: int | None = None
    memory_mb: int | None = None
    local_gb: int | None = None
    cpu_arch: str | None = None
    capabilities: dict[str, str] = dataclasses.field(default_factory=dict)
    #: deploy_kernel / deploy_ramdisk: image UUIDs or URLs (file://, http://)
    images: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"node {self.index} ({self.name or '-'})"

    @property
    def driver(self) -> str:
        return HARDWARE_TYPE

    def driver_info(self) -> dict[str, object]:
        """Ironic's standard IPMI driver_info keys, plus the deploy images if given."""
        return {"ipmi_address": self.address, "ipmi_port": self.port,
                "ipmi_username": self.username, "ipmi_password": self.password,
                **self.images}

    def properties(self) -> dict[str, object]:
        """The node properties this entry sets (only those it gives)."""
        props: dict[str, object] = {
            key: value for key, value in (("cpus", self.cpus), ("memory_mb", self.memory_mb),
                                          ("local_gb", self.local_gb),
                                          ("cpu_arch", self.cpu_arch))
            if value is not None}
        if self.capabilities:
            props["capabilities"] = ",".join(f"{k}:{v}" for k, v in self.capabilities.items())
        return props


def parse_text(text: str, source: str = "<inventory>") -> object:
    """Parse JSON (when the text starts with ``{`` or ``[``) or else YAML."""
    try:
        if text.lstrip().startswith(("{", "[")):
            return json.loads(text)
        return yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InventoryError(source, [f"cannot be parsed: {exc}"]) from None


def load_inventory(path: Path | str) -> list[NodeEntry]:
    """Read and validate an inventory file.

    :raises InventoryError: listing every problem; nothing is returned then.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise InventoryError(str(path), [f"cannot be read: {exc}"]) from None
    return validate(parse_text(text, str(path)), str(path))


def validate(data: object, source: str = "<inventory>") -> list[NodeEntry]:
    """Return the entries of a parsed inventory document, or raise InventoryError."""
    nodes = data.get("nodes") if isinstance(data, dict) else data
    if not isinstance(nodes, list):
        raise InventoryError(source, ["must be a mapping with a 'nodes' list "
                                      '(e.g. {"nodes": [{"pm_addr": ...}]})'])
    errors: list[str] = []
    entries = []
    for index, raw in enumerate(nodes):
        entry = _node(index, raw, errors)
        if entry is not None:
            entries.append(entry)
    _check_unique(entries, errors)
    if errors:
        raise InventoryError(source, errors)
    return entries


def _int(raw: dict, key: str, low: int, high: int | None, label: str,
         errors: list[str]) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    text = str(value).strip()
    ok = not isinstance(value, bool | float) and re.fullmatch(r"\d+", text) is not None
    if ok and low <= int(text) and (high is None or int(text) <= high):
        return int(text)
    bound = f"{low}-{high}" if high is not None else f">= {low}"
    errors.append(f"{label}: {key} {value!r} is not an integer {bound}")
    return None


def _str(raw: dict, key: str, label: str, errors: list[str], required: bool,
         empty_ok: bool = False) -> str | None:
    value = raw.get(key)
    if value is None:
        if required:
            errors.append(f"{label}: {key} is missing")
        return None
    if not isinstance(value, str) or (not value and not empty_ok):
        errors.append(f"{label}: {key} {value!r} must be a non-empty string")
        return None
    return value


def _node(index: int, raw: object, errors: list[str]) -> NodeEntry | None:
    if not isinstance(raw, dict):
        errors.append(f"node {index}: must be a mapping, not {type(raw).__name__}")
        return None
    name = raw.get("name")
    label = f"node {index} ({name if isinstance(name, str) and name else '-'})"
    before = len(errors)
    for key in sorted(set(raw) - KNOWN_KEYS):
        LOG.warning("%s: ignoring unknown key %s", label, key)
    if name is not None and not (isinstance(name, str) and NAME_RE.match(name)):
        errors.append(f"{label}: name {name!r} is invalid: use letters, digits and -._~")
    pm_type = raw.get("pm_type", "ipmi")
    if pm_type not in PM_TYPES:
        errors.append(f"{label}: pm_type {pm_type!r} is not supported: "
                      f"use one of {', '.join(PM_TYPES)}")
    address = _str(raw, "pm_addr", label, errors, required=True)
    if address is not None and not _is_host(address):
        errors.append(f"{label}: pm_addr {address!r} is not an IP address or host name")
    port = _int(raw, "pm_port", 1, 65535, label, errors)
    username = _str(raw, "pm_user", label, errors, required=True)
    password = _str(raw, "pm_password", label, errors, required=True, empty_ok=True)
    macs = _macs(raw.get("mac"), label, errors)
    cpus = _int(raw, "cpu", 1, None, label, errors)
    memory_mb = _int(raw, "memory", 1, None, label, errors)
    local_gb = _int(raw, "disk", 0, None, label, errors)
    arch = raw.get("arch")
    if arch is not None and arch not in ARCHES:
        errors.append(f"{label}: arch {arch!r} is not one of {', '.join(ARCHES)}")
    capabilities = _capabilities(raw.get("capabilities"), label, errors)
    images = {}
    for field, keys in IMAGE_KEYS.items():
        given = [key for key in keys if raw.get(key) is not None]
        if len(given) > 1:
            errors.append(f"{label}: {' and '.join(given)} both given: use one")
        elif given:
            value = _str(raw, given[0], label, errors, required=False)
            if value is not None:
                images[field] = value
    if name is None and not macs and len(errors) == before:
        errors.append(f"{label}: needs a name or a mac, so that enrolling it again "
                      "updates it instead of adding a duplicate")
    if len(errors) > before:
        return None
    return NodeEntry(index=index, name=name, pm_type=pm_type, address=address or "",
                     port=port or 623, username=username or "", password=password or "",
                     macs=macs, cpus=cpus, memory_mb=memory_mb, local_gb=local_gb,
                     cpu_arch=arch, capabilities=capabilities, images=images)


def _is_host(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return HOST_RE.match(text) is not None and not text.replace(".", "").isdigit()


def _macs(value: object, label: str, errors: list[str]) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        errors.append(f"{label}: mac {value!r} must be a list of MAC addresses")
        return []
    macs = []
    for item in items:
        if isinstance(item, str) and MAC_RE.match(item.lower()):
            macs.append(item.lower())
        else:
            errors.append(f"{label}: mac {item!r} is not a MAC address like 52:54:00:12:34:56")
    return macs


def _capabilities(value: object, label: str, errors: list[str]) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, dict):
        pairs = [(str(k), str(v).lower() if isinstance(v, bool) else str(v))
                 for k, v in value.items()]
    elif isinstance(value, str):
        pairs = [tuple(item.split(":", 1)) for item in value.split(",") if item.strip()]
    else:
        pairs = [("", "")]
    bad = [p for p in pairs if len(p) != 2 or not p[0].strip() or ":" in p[0] or "," in "".join(p)]
    if bad:
        errors.append(f"{label}: capabilities {value!r} must be 'key:value,key:value' "
                      "or a mapping of keys to values")
        return {}
    return {k.strip(): v.strip() for k, v in pairs}


def _check_unique(entries: list[NodeEntry], errors: list[str]) -> None:
    names: dict[str, NodeEntry] = {}
    macs: dict[str, NodeEntry] = {}
    for entry in entries:
        if entry.name is not None:
            if entry.name in names:
                errors.append(f"{entry.label}: name {entry.name!r} is already used by "
                              f"{names[entry.name].label}")
            names.setdefault(entry.name, entry)
        for mac in entry.macs:
            if mac in macs and macs[mac] is not entry:
                errors.append(f"{entry.label}: mac {mac} is already used by "
                              f"{macs[mac].label}")
            macs.setdefault(mac, entry)
