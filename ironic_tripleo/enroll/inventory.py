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
The structure is checked by the JSON schema in :mod:`schema`, the rest here.
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
from ironic_tripleo.enroll import pm_types, schema
from ironic_tripleo.exception import InventoryError

LOG = logging.getLogger(__name__)

#: driver_info key -> inventory keys giving it (TripleO's name first, then Ironic's).
IMAGE_KEYS = {"deploy_kernel": ("kernel_id", "deploy_kernel"),
              "deploy_ramdisk": ("ramdisk_id", "deploy_ramdisk")}
#: TripleO also uses the deploy images for rescue.
RESCUE_KEYS = {"deploy_kernel": "rescue_kernel", "deploy_ramdisk": "rescue_ramdisk"}
CSV_COLUMNS = ("pm_type", "pm_addr", "pm_user", "pm_password", "mac", "pm_port")
DEFAULT_PHYSNET = "ctlplane"  # what TripleO gives ports without one
DATAPATH_RE = re.compile(r"^[0-9a-f]{16}$")


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
        return schema.node_label(self.index, {"name": self.name})

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
    """Return the entries of a parsed inventory document, or raise InventoryError.

    The structure is checked by :data:`schema.DOCUMENT`; the rest (MACs, BMCs, what
    each pm_type needs, UUIDs, capabilities, clashes) here, on the fields the schema
    accepted, so that every problem of every node is reported at once.
    """
    structural = schema.node_errors(data, source)
    nodes = data["nodes"] if isinstance(data, dict) else data
    assert isinstance(nodes, list)  # node_errors raised otherwise
    errors: list[str] = []
    entries = []
    for index, raw in enumerate(nodes):
        found = structural.get(index, [])
        errors.extend(message for _, message in found)
        if isinstance(raw, dict):
            entry = _node(index, raw, found, errors)
            if entry is not None:
                entries.append(entry)
    _check_unique(entries, errors)
    if errors:
        raise InventoryError(source, errors)
    return entries


def _number(value: object) -> int | None:
    """A count the schema accepted (an int or a string of digits)."""
    return None if value is None else int(str(value).strip())


def _node(index: int, raw: dict, refused: list[tuple[str | None, str]],
          errors: list[str]) -> NodeEntry | None:
    """Check what the schema cannot, except in the fields it ``refused``."""
    flagged = {field for field, _ in refused if field}
    label = schema.node_label(index, raw)
    before = len(errors)
    value = {k: v for k, v in raw.items() if k not in flagged and v is not None}
    node_uuid = _uuid(value, label, errors)
    pm_type, address, port, username, password, system_id = _bmc(raw, value, flagged,
                                                                label, errors)
    ports = _ports(raw, label, errors)
    capabilities = _capabilities(value.get("capabilities"), label, errors)
    _profile(value, capabilities, label, errors)
    images = _images(raw, value, label, errors)
    if (not refused and len(errors) == before and raw.get("name") is None
            and raw.get("uuid") is None and not ports and raw.get("pm_addr") is None):
        errors.append(f"{label}: needs a name, uuid, ports or pm_addr, so that importing "
                      "it again updates it instead of adding a duplicate")
    if refused or len(errors) > before:
        return None
    if raw.get("mac") is not None:
        LOG.warning("%s: 'mac' is deprecated (TripleO no longer reads it): write "
                    "\"ports\": [{\"address\": \"%s\"}] instead", label,
                    ports[0].address if ports else "...")
    root_device = value.get("root_device")
    return NodeEntry(index=index, name=value.get("name"), pm_type=pm_type,
                     address=address or "", port=port, username=username,
                     password=password, ports=ports, cpus=_number(value.get("cpu")),
                     memory_mb=_number(value.get("memory")),
                     local_gb=_number(value.get("disk")), cpu_arch=value.get("arch"),
                     capabilities=capabilities, images=images, uuid=node_uuid,
                     system_id=system_id,
                     root_device=dict(root_device) if root_device else None,
                     interfaces={k: value[k] for k in schema.INTERFACES if k in value},
                     resource_class=value.get("resource_class"),
                     platform=value.get("platform"),
                     conductor_group=value.get("conductor_group"))


def _bmc(raw: dict, value: dict, flagged: set[str], label: str, errors: list[str]
         ) -> tuple[str, str | None, int | None, str | None, str | None, str | None]:
    """The node's BMC fields, checked for its pm_type: (pm_type, pm_addr, pm_port,
    pm_user, pm_password, pm_system_id)."""
    pm_type = value.get("pm_type", "ipmi")
    kind = None if "pm_type" in flagged else pm_types.find(pm_type)
    if kind is None and "pm_type" not in flagged:
        errors.append(f"{label}: pm_type {pm_type!r} is not supported: "
                      f"use one of {pm_types.NAMES}")
    elif kind is not None and kind.note:
        LOG.warning("%s: %s", label, kind.note)
    protocol = kind.protocol if kind is not None else None
    required = ["pm_addr"] if kind is None or kind.needs_bmc else []
    required += ["pm_user", "pm_password"] if protocol == "ipmi" else []
    errors.extend(f"{label}: {key} is missing" for key in required if raw.get(key) is None)
    address = value.get("pm_addr")
    if address is not None and not _is_bmc_address(address, kind):
        errors.append(f"{label}: pm_addr {address!r} is not an IP address or host name"
                      + (" (or an http(s) URL)" if protocol == "redfish" else "")
                      + (" (for tripleo-nova: a clouds.yaml entry)"
                         if protocol == "nova" else ""))
    port = None
    if "pm_port" in value:
        port = bmc_limits.port_number(value["pm_port"])
        if port is None:
            errors.append(f"{label}: pm_port {value['pm_port']!r} is not an integer "
                          f"{bmc_limits.PORT_MIN}-{bmc_limits.PORT_MAX}")
    elif protocol == "ipmi":
        port = pm_types.IPMI_PORT
    system_id = value.get("pm_system_id")
    if system_id is not None and protocol not in (None, "redfish", "nova"):
        errors.append(f"{label}: pm_system_id is only for Redfish BMCs "
                      "(redfish, idrac, ilo, irmc, xclarity) and Nova servers (tripleo-nova)")
    if raw.get("pm_system_id") is None and protocol == "nova":
        errors.append(f"{label}: pm_system_id is missing: the Nova server's name or ID "
                      "(pm_addr is the cloud's clouds.yaml entry)")
    return (pm_type, address, port, value.get("pm_user"), value.get("pm_password"),
            system_id)


def _profile(value: dict, capabilities: dict, label: str, errors: list[str]) -> None:
    """Put ``profile`` into ``capabilities``, unless they name different ones."""
    profile = value.get("profile")
    if profile is None:
        return
    if capabilities.get("profile", profile) != profile:
        errors.append(f"{label}: profile {profile!r} differs from capabilities' "
                      f"profile {capabilities['profile']!r}: give one")
    else:
        capabilities["profile"] = profile


def _images(raw: dict, value: dict, label: str, errors: list[str]) -> dict[str, str]:
    """The image fields, each given under one of its keys at most."""
    images = {}
    for field, keys in IMAGE_KEYS.items():
        given = [key for key in keys if raw.get(key) is not None]
        if len(given) > 1:
            errors.append(f"{label}: {' and '.join(given)} both given: use one")
        elif given and given[0] in value:
            images[field] = value[given[0]]
    return images


def _uuid(value: dict, label: str, errors: list[str]) -> str | None:
    """The node's UUID in Ironic's spelling (any that :class:`uuid.UUID` reads)."""
    if "uuid" not in value:
        return None
    try:
        return str(uuidlib.UUID(value["uuid"]))
    except ValueError:
        errors.append(f"{label}: uuid {value['uuid']!r} is not a UUID")
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
    """``ports`` (TripleO's field) and the deprecated ``mac`` list, as PortEntry.

    Their structure is the schema's: what it refused is skipped here, not reported
    twice."""
    result = []
    macs = raw.get("mac")
    for item in [macs] if isinstance(macs, str) else macs if isinstance(macs, list) else []:
        mac = _mac(item, f"{label}: mac", errors)
        if mac:
            result.append(PortEntry(mac))
    ports = raw.get("ports")
    for number, port in enumerate(ports if isinstance(ports, list) else []):
        if not isinstance(port, dict) or port.get("address") is None:
            continue
        where = f"{label}: ports[{number}]"
        mac = _mac(port["address"], f"{where}.address", errors)
        llc = port.get("local_link_connection")
        llc = llc if isinstance(llc, dict) else {}
        switch = llc.get("switch_id")
        if isinstance(switch, str) and switch and not (
                normalize_mac(switch) is not None or DATAPATH_RE.match(switch.lower())):
            errors.append(f"{where}.local_link_connection.switch_id {switch!r} is not a "
                          "MAC address or an OpenFlow datapath id")
        elif mac:
            result.append(PortEntry(mac, port.get("physical_network", DEFAULT_PHYSNET),
                                    dict(llc)))
    return result


def _capabilities(value: str | dict | None, label: str, errors: list[str]) -> dict[str, str]:
    """``'key:value,key:value'`` or a mapping (the schema saw to the type)."""
    if value is None:
        return {}
    if isinstance(value, dict):
        pairs = [(str(k), str(v).lower() if isinstance(v, bool) else str(v))
                 for k, v in value.items()]
    else:
        pairs = [tuple(item.split(":", 1)) for item in value.split(",") if item.strip()]
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
