"""The inventory: TripleO's ``instackenv.json`` (or the same as YAML or CSV), checked.

Plain functions over data. ``load_inventory`` validates the whole file and reports
every problem at once, each naming the node (its index in ``nodes``, from 0, and its
name) and the field, so nothing is enrolled from a file with a mistake in it.

The fields are TripleO's: ``pm_*`` for the BMC (see :mod:`pm_types`), ``ports``
(``address``, ``physical_network``, ``local_link_connection``; the older ``mac``
list is still read, with a deprecation note), ``cpu``/``memory``/``disk``/``arch``,
``capabilities`` and ``profile``, ``root_device``, ``*_interface``,
``resource_class``, ``platform``, ``conductor_group``, ``uuid``, the deploy images
(``kernel_id``/``ramdisk_id``); ``_comment`` is ignored, any other key is an error.
CSV rows are TripleO's: ``pm_type,pm_addr,pm_user,pm_password,mac[,pm_port]``.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import logging
import re
import uuid as uuidlib
from pathlib import Path

import yaml

from baremetal_common.mac import normalize_mac
from ironic_tripleo import bmc_limits
from ironic_tripleo.enroll import pm_types
from ironic_tripleo.exception import InventoryError

LOG = logging.getLogger(__name__)

ARCHES = ("x86_64", "i686", "aarch64", "ppc64le", "ppc64", "s390x")
INTERFACES = tuple(f"{kind}_interface" for kind in (
    "bios", "boot", "console", "deploy", "firmware", "inspect", "management", "network",
    "power", "raid", "rescue", "storage", "vendor"))
KNOWN_KEYS = {"name", "uuid", "pm_type", "pm_addr", "pm_port", "pm_user", "pm_password",
              "pm_system_id", "mac", "ports", "cpu", "memory", "disk", "arch",
              "capabilities", "profile", "root_device", "resource_class", "platform",
              "conductor_group", "kernel_id", "ramdisk_id", "deploy_kernel",
              "deploy_ramdisk", "_comment", *INTERFACES}
#: driver_info key -> inventory keys giving it (TripleO's name first, then Ironic's).
IMAGE_KEYS = {"deploy_kernel": ("kernel_id", "deploy_kernel"),
              "deploy_ramdisk": ("ramdisk_id", "deploy_ramdisk")}
#: TripleO also uses the deploy images for rescue.
RESCUE_KEYS = {"deploy_kernel": "rescue_kernel", "deploy_ramdisk": "rescue_ramdisk"}
#: Ironic's root device hints and the type of each value.
ROOT_HINTS = {"name": str, "model": str, "vendor": str, "serial": str, "size": int,
              "wwn": str, "wwn_with_extension": str, "wwn_vendor_extension": str,
              "rotational": bool, "hctl": str, "by_path": str}
LLC_KEYS = ("switch_id", "port_id", "switch_info", "network_type")
CSV_COLUMNS = ("pm_type", "pm_addr", "pm_user", "pm_password", "mac", "pm_port")
DEFAULT_PHYSNET = "ctlplane"  # what TripleO gives ports without one
NAME_RE = re.compile(r"^[A-Za-z0-9\-._~]+$")
DATAPATH_RE = re.compile(r"^[0-9a-f]{16}$")
RESOURCE_CLASS_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,80}$")


@dataclasses.dataclass
class PortEntry:
    """One NIC of a machine, as an Ironic port."""

    address: str
    physical_network: str | None = DEFAULT_PHYSNET
    local_link_connection: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class NodeEntry:
    """One machine to enroll, in Ironic's terms."""

    index: int
    name: str | None
    pm_type: str
    address: str
    port: int | None
    username: str | None
    password: str | None = dataclasses.field(repr=False)
    ports: list[PortEntry] = dataclasses.field(default_factory=list)
    cpus: int | None = None
    memory_mb: int | None = None
    local_gb: int | None = None
    cpu_arch: str | None = None
    capabilities: dict[str, str] = dataclasses.field(default_factory=dict)
    #: deploy_kernel / deploy_ramdisk: image UUIDs or URLs (file://, http://)
    images: dict[str, str] = dataclasses.field(default_factory=dict)
    uuid: str | None = None
    system_id: str | None = None
    root_device: dict[str, object] | None = None
    interfaces: dict[str, str] = dataclasses.field(default_factory=dict)
    resource_class: str | None = None
    platform: str | None = None
    conductor_group: str | None = None

    @property
    def label(self) -> str:
        return f"node {self.index} ({self.name or '-'})"

    @property
    def kind(self) -> pm_types.PmType:
        meaning = pm_types.find(self.pm_type)
        assert meaning is not None  # validated
        return meaning

    @property
    def driver(self) -> str:
        return self.kind.hardware_type

    @property
    def macs(self) -> list[str]:
        return [p.address for p in self.ports]

    def driver_info(self) -> dict[str, object]:
        """The BMC's driver_info keys, plus the deploy (and rescue) images if given."""
        info = self.kind.driver_info(self.address, self.port, self.username,
                                     self.password, self.system_id)
        info.update(self.images)
        info.update({RESCUE_KEYS[k]: v for k, v in self.images.items()})
        return info

    def bmc_identity(self) -> str | None:
        return pm_types.bmc_identity(self.driver_info())

    def properties(self) -> dict[str, object]:
        """The node properties this entry sets (only those it gives)."""
        props: dict[str, object] = {
            key: value for key, value in (("cpus", self.cpus), ("memory_mb", self.memory_mb),
                                          ("local_gb", self.local_gb),
                                          ("cpu_arch", self.cpu_arch),
                                          ("root_device", self.root_device))
            if value is not None}
        if self.capabilities:
            props["capabilities"] = ",".join(f"{k}:{v}" for k, v in self.capabilities.items())
        return props

    def fields(self) -> dict[str, object]:
        """Node fields other than driver, driver_info and properties that it sets."""
        result: dict[str, object] = dict(self.interfaces)
        if self.resource_class is not None:
            result["resource_class"] = self.resource_class
        if self.conductor_group is not None:
            result["conductor_group"] = self.conductor_group
        return result

    def extra(self) -> dict[str, object]:
        return {"tripleo_platform": self.platform} if self.platform else {}


def csv_to_nodes(text: str, source: str = "<inventory>") -> list[dict]:
    """TripleO's CSV rows (``pm_type,pm_addr,pm_user,pm_password,mac[,pm_port]``)."""
    nodes = []
    errors = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if not 5 <= len(cells) <= 6:
            errors.append(f"row {number}: has {len(cells)} columns, needs 5 or 6: "
                          + ",".join(CSV_COLUMNS))
            continue
        node: dict[str, object] = dict(zip(CSV_COLUMNS[:4], cells[:4], strict=True))
        node["ports"] = [{"address": cells[4]}]
        if len(cells) == 6 and cells[5]:
            node["pm_port"] = cells[5]
        nodes.append(node)
    if errors:
        raise InventoryError(source, errors)
    return nodes


def parse_text(text: str, source: str = "<inventory>", file_type: str | None = None) -> object:
    """Parse CSV (``file_type`` csv or a ``.csv`` source), JSON (text starting with
    ``{`` or ``[``) or else YAML."""
    if file_type == "csv" or (file_type is None and source.lower().endswith(".csv")):
        return csv_to_nodes(text, source)
    try:
        if text.lstrip().startswith(("{", "[")):
            return json.loads(text)
        return yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InventoryError(source, [f"cannot be parsed: {exc}"]) from None


def load_inventory(path: Path | str, file_type: str | None = None) -> list[NodeEntry]:
    """Read and validate an inventory file (JSON, YAML or CSV).

    :raises InventoryError: listing every problem; nothing is returned then.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise InventoryError(str(path), [f"cannot be read: {exc}"]) from None
    return validate(parse_text(text, str(path), file_type), str(path))


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
    for key in sorted(set(raw) - KNOWN_KEYS, key=str):
        errors.append(f"{label}: unknown field {key!r}")
    if name is not None and not (isinstance(name, str) and NAME_RE.match(name)):
        errors.append(f"{label}: name {name!r} is invalid: use letters, digits and -._~")
    node_uuid = _uuid(raw, label, errors)
    pm_type, address, port, username, password, system_id = _bmc(raw, label, errors)
    ports = _ports(raw, label, errors)
    cpus = _int(raw, "cpu", 1, None, label, errors)
    memory_mb = _int(raw, "memory", 1, None, label, errors)
    local_gb = _int(raw, "disk", 0, None, label, errors)
    arch = raw.get("arch")
    if arch is not None and arch not in ARCHES:
        errors.append(f"{label}: arch {arch!r} is not one of {', '.join(ARCHES)}")
    capabilities = _capabilities(raw.get("capabilities"), label, errors)
    _profile(raw, capabilities, label, errors)
    root_device = _root_device(raw.get("root_device"), label, errors)
    interfaces = {}
    for key in INTERFACES:
        value = _str(raw, key, label, errors, required=False)
        if value is not None:
            interfaces[key] = value
    resource_class = _str(raw, "resource_class", label, errors, required=False)
    if resource_class is not None and not RESOURCE_CLASS_RE.match(resource_class):
        errors.append(f"{label}: resource_class {resource_class!r} is invalid: up to 80 "
                      "letters, digits and _.-")
    platform = _str(raw, "platform", label, errors, required=False)
    if platform is not None and arch is None:
        errors.append(f"{label}: platform {platform!r} needs arch")
    group = _str(raw, "conductor_group", label, errors, required=False, empty_ok=True)
    if group and not re.fullmatch(r"[A-Za-z0-9_.\-]{1,255}", group):
        errors.append(f"{label}: conductor_group {group!r} is invalid: letters, digits "
                      "and _.-")
    images = _images(raw, label, errors)
    if (name is None and node_uuid is None and not ports and not address
            and len(errors) == before):
        errors.append(f"{label}: needs a name, uuid, ports or pm_addr, so that importing "
                      "it again updates it instead of adding a duplicate")
    if len(errors) > before:
        return None
    if "mac" in raw:
        LOG.warning("%s: 'mac' is deprecated (TripleO no longer reads it): write "
                    "\"ports\": [{\"address\": \"%s\"}] instead", label,
                    ports[0].address if ports else "...")
    return NodeEntry(index=index, name=name, pm_type=pm_type, address=address or "",
                     port=port, username=username, password=password,
                     ports=ports, cpus=cpus, memory_mb=memory_mb, local_gb=local_gb,
                     cpu_arch=arch, capabilities=capabilities, images=images,
                     uuid=node_uuid, system_id=system_id, root_device=root_device,
                     interfaces=interfaces, resource_class=resource_class,
                     platform=platform, conductor_group=group)


def _bmc(raw: dict, label: str, errors: list[str]
         ) -> tuple[object, str | None, int | None, str | None, str | None, str | None]:
    """The node's BMC fields, checked for its pm_type: (pm_type, pm_addr, pm_port,
    pm_user, pm_password, pm_system_id)."""
    pm_type = raw.get("pm_type", "ipmi")
    kind = pm_types.find(pm_type) if isinstance(pm_type, str) else None
    if kind is None:
        errors.append(f"{label}: pm_type {pm_type!r} is not supported: "
                      f"use one of {pm_types.NAMES}")
    elif kind.note:
        LOG.warning("%s: %s", label, kind.note)
    needs_bmc = kind is None or kind.needs_bmc
    address = _str(raw, "pm_addr", label, errors, required=needs_bmc)
    if address is not None and not _is_bmc_address(address, kind):
        errors.append(f"{label}: pm_addr {address!r} is not an IP address or host name"
                      + (" (or an http(s) URL)" if kind and kind.protocol == "redfish" else "")
                      + (" (for tripleo-nova: a clouds.yaml entry)"
                         if kind and kind.protocol == "nova" else ""))
    port = _int(raw, "pm_port", bmc_limits.PORT_MIN, bmc_limits.PORT_MAX, label, errors)
    if port is None and kind is not None and kind.protocol == "ipmi":
        port = pm_types.IPMI_PORT
    username = _str(raw, "pm_user", label, errors,
                    required=bool(kind and kind.protocol == "ipmi"))
    password = _str(raw, "pm_password", label, errors,
                    required=bool(kind and kind.protocol == "ipmi"), empty_ok=True)
    system_id = _str(raw, "pm_system_id", label, errors, required=False)
    if system_id is not None and kind is not None and kind.protocol not in ("redfish",
                                                                             "nova"):
        errors.append(f"{label}: pm_system_id is only for Redfish BMCs "
                      "(redfish, idrac, ilo, irmc, xclarity) and Nova servers (tripleo-nova)")
    if system_id is None and kind is not None and kind.protocol == "nova":
        errors.append(f"{label}: pm_system_id is missing: the Nova server's name or ID "
                      "(pm_addr is the cloud's clouds.yaml entry)")
    return pm_type, address, port, username, password, system_id


def _profile(raw: dict, capabilities: dict, label: str, errors: list[str]) -> None:
    """Check ``profile`` and put it into ``capabilities``."""
    profile = _str(raw, "profile", label, errors, required=False)
    if profile is not None:
        if not NAME_RE.match(profile):
            errors.append(f"{label}: profile {profile!r} is invalid: use letters, digits "
                          "and -._~")
        elif capabilities.get("profile", profile) != profile:
            errors.append(f"{label}: profile {profile!r} differs from capabilities' "
                          f"profile {capabilities['profile']!r}: give one")
        else:
            capabilities["profile"] = profile


def _images(raw: dict, label: str, errors: list[str]) -> dict[str, str]:
    """The image fields, each given under one of its keys at most."""
    images = {}
    for field, keys in IMAGE_KEYS.items():
        given = [key for key in keys if raw.get(key) is not None]
        if len(given) > 1:
            errors.append(f"{label}: {' and '.join(given)} both given: use one")
        elif given:
            value = _str(raw, given[0], label, errors, required=False)
            if value is not None:
                images[field] = value
    return images


def _uuid(raw: dict, label: str, errors: list[str]) -> str | None:
    value = raw.get("uuid")
    if value is None:
        return None
    try:
        return str(uuidlib.UUID(str(value)))
    except ValueError:
        errors.append(f"{label}: uuid {value!r} is not a UUID")
        return None


def _is_bmc_address(text: str, kind: pm_types.PmType | None) -> bool:
    if kind is not None and kind.protocol == "nova":
        return bool(text.strip())  # a clouds.yaml entry name
    if kind is not None and kind.protocol == "redfish":
        match = re.match(r"^(https?://)?(\[[0-9a-fA-F:.]+\]|[^/:\[\]]+)(:\d{1,5})?(/.*)?$",
                         text, re.I)
        if match is None:
            return False
        text = match.group(2).strip("[]")
    return bmc_limits.is_address(text)


def _mac(item: object, where: str, errors: list[str]) -> str | None:
    mac = normalize_mac(item)
    if mac is not None:
        return mac
    errors.append(f"{where} {item!r} is not a MAC address like 52:54:00:12:34:56")
    return None


def _ports(raw: dict, label: str, errors: list[str]) -> list[PortEntry]:
    """``ports`` (TripleO's field) and the deprecated ``mac`` list, as PortEntry."""
    result = []
    value = raw.get("mac")
    if value is not None:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            errors.append(f"{label}: mac {value!r} must be a list of MAC addresses")
            items = []
        for item in items:
            mac = _mac(item, f"{label}: mac", errors)
            if mac:
                result.append(PortEntry(mac))
    value = raw.get("ports")
    if value is None:
        return result
    if not isinstance(value, list):
        errors.append(f"{label}: ports {value!r} must be a list of "
                      '{"address": MAC, "physical_network": ..., '
                      '"local_link_connection": {...}}')
        return result
    for number, port in enumerate(value):
        where = f"{label}: ports[{number}]"
        if not isinstance(port, dict):
            errors.append(f"{where} {port!r} must be a mapping with an address")
            continue
        for key in sorted(set(port) - {"address", "physical_network",
                                       "local_link_connection"}, key=str):
            errors.append(f"{where}: unknown field {key!r}")
        if port.get("address") is None:
            errors.append(f"{where}.address is missing")
            continue
        mac = _mac(port["address"], f"{where}.address", errors)
        physnet = port.get("physical_network", DEFAULT_PHYSNET)
        if physnet is not None and not (isinstance(physnet, str) and physnet
                                        and len(physnet) <= 64):
            errors.append(f"{where}.physical_network {physnet!r} must be a non-empty "
                          "string of up to 64 characters")
        llc = _local_link(port.get("local_link_connection"), where, errors)
        if mac and llc is not None:
            result.append(PortEntry(mac, physnet, llc))
    return result


def _local_link(value: object, where: str, errors: list[str]) -> dict[str, str] | None:
    """Ironic's local_link_connection: switch_id (MAC or datapath id), port_id, ..."""
    where = f"{where}.local_link_connection"
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.append(f"{where} {value!r} must be a mapping of {', '.join(LLC_KEYS)}")
        return None
    before = len(errors)
    for key in sorted(set(value) - set(LLC_KEYS), key=str):
        errors.append(f"{where}: unknown field {key!r} (use {', '.join(LLC_KEYS)})")
    for key, item in value.items():
        if key in LLC_KEYS and not (isinstance(item, str) and item):
            errors.append(f"{where}.{key} {item!r} must be a non-empty string")
    if len(errors) > before:
        return None
    if value.get("network_type") not in (None, "managed", "unmanaged"):
        errors.append(f"{where}.network_type {value['network_type']!r} must be managed "
                      "or unmanaged")
    elif value and value.get("network_type") != "unmanaged":
        for key in ("switch_id", "port_id"):
            if key not in value:
                errors.append(f"{where}.{key} is missing (needed unless network_type "
                              "is unmanaged)")
    switch = value.get("switch_id")
    if switch is not None and not (normalize_mac(switch) is not None
                                   or DATAPATH_RE.match(switch.lower())):
        errors.append(f"{where}.switch_id {switch!r} is not a MAC address or an "
                      "OpenFlow datapath id")
    return None if len(errors) > before else dict(value)


def _root_device(value: object, label: str, errors: list[str]) -> dict[str, object] | None:
    """Ironic's root device hints, e.g. ``{"serial": "..."}`` or ``{"size": ">= 100"}``."""
    if value is None:
        return None
    if not isinstance(value, dict) or not value:
        errors.append(f"{label}: root_device {value!r} must be a mapping of root device "
                      f"hints ({', '.join(ROOT_HINTS)})")
        return None
    before = len(errors)
    for key, item in value.items():
        if key not in ROOT_HINTS:
            errors.append(f"{label}: root_device.{key} is not a root device hint "
                          f"({', '.join(ROOT_HINTS)})")
        elif ROOT_HINTS[key] is int:
            if isinstance(item, bool) or not (isinstance(item, int) and item > 0 or
                                              isinstance(item, str) and item.strip()):
                errors.append(f"{label}: root_device.size {item!r} must be GiB, e.g. 100 "
                              "or '>= 100'")
        elif ROOT_HINTS[key] is bool:
            if not isinstance(item, bool | str):
                errors.append(f"{label}: root_device.{key} {item!r} must be true or false")
        elif not (isinstance(item, str) and item):
            errors.append(f"{label}: root_device.{key} {item!r} must be a non-empty string")
    return None if len(errors) > before else dict(value)


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
    """Names, UUIDs, MACs and BMCs used by two entries."""
    seen: dict[str, dict[str, NodeEntry]] = {"name": {}, "uuid": {}, "mac": {}, "bmc": {}}
    for entry in entries:
        keys = {"name": [entry.name] if entry.name else [],
                "uuid": [entry.uuid] if entry.uuid else [],
                "mac": entry.macs,
                "bmc": [entry.bmc_identity()] if entry.bmc_identity() else []}
        for kind, values in keys.items():
            for value in values:
                other = seen[kind].get(value)
                if other is not None and other is not entry:
                    shown = repr(value) if kind == "name" else value
                    if kind == "bmc":
                        shown = value.split(":", 1)[1]
                    errors.append(f"{entry.label}: {kind} {shown} is already used by "
                                  f"{other.label}")
                seen[kind].setdefault(value, entry)
