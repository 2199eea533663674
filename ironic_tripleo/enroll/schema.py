"""JSON schema of the inventory (TripleO's instackenv), and its errors as messages.

The structure only: types, unknown keys, required keys, enums, patterns, string
lengths and ranges. What is not structure stays in :mod:`inventory`: MAC
addresses (:mod:`baremetal_common.mac`), BMC addresses and ports
(:mod:`ironic_tripleo.bmc_limits`), what each ``pm_type`` needs
(:mod:`pm_types`), UUIDs, the ``capabilities`` string, and clashes between nodes.

Every message names the node by its index in ``nodes`` (from 0) and its name, then
the field by its path, e.g. ``node 2 (ctrl-1): ports[0].physical_network 3 must be
a non-empty string of up to 64 characters``. A schema's ``description`` says what
its value must be; ``x-unknown`` and ``x-missing`` (templates) word unknown and
missing keys where the plain wording is not enough.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema

from ironic_tripleo.bmc_limits import PORT_MAX, PORT_MIN
from ironic_tripleo.document_schema import validator
from ironic_tripleo.enroll import pm_types
from ironic_tripleo.exception import InventoryError

ARCHES = ("x86_64", "i686", "aarch64", "ppc64le", "ppc64", "s390x")
INTERFACES = tuple(f"{kind}_interface" for kind in (
    "bios", "boot", "console", "deploy", "firmware", "inspect", "management", "network",
    "power", "raid", "rescue", "storage", "vendor"))
ROOT_HINTS = ("name", "model", "vendor", "serial", "size", "wwn", "wwn_with_extension",
              "wwn_vendor_extension", "rotational", "hctl", "by_path")
LLC_KEYS = ("switch_id", "port_id", "switch_info", "network_type")
NAME_PATTERN = r"^[A-Za-z0-9\-._~]+$"
NAME_RULE = "is invalid: use letters, digits and -._~"
NON_EMPTY = "must be a non-empty string"


def _optional(description: str, **schema: Any) -> dict[str, Any]:
    """A leaf that may also be null (absent), with what it must be."""
    return {"anyOf": [{"type": "null"}, schema], "description": description}


def _text(description: str = NON_EMPTY, **schema: Any) -> dict[str, Any]:
    return _optional(description, type="string", minLength=1, **schema)


def _count(minimum: int) -> dict[str, Any]:
    """An integer, or a string of digits (TripleO writes ``"cpu": "4"``)."""
    digits = r"^\s*\d+\s*$" if minimum == 0 else r"^\s*0*[1-9]\d*\s*$"
    return _optional(f"is not an integer >= {minimum}",
                     type=["integer", "string"], minimum=minimum, pattern=digits)


LOCAL_LINK = {
    "type": ["object", "null"],
    "description": f"must be a mapping of {', '.join(LLC_KEYS)}",
    "additionalProperties": False,
    "x-unknown": "{head}: unknown field {key!r} (use " + ", ".join(LLC_KEYS) + ")",
    "properties": {
        "switch_id": _text(), "port_id": _text(), "switch_info": _text(),
        "network_type": _optional("must be managed or unmanaged",
                                  enum=["managed", "unmanaged"]),
    },
    # switch_id and port_id, unless it is empty or the network is unmanaged
    "if": {"type": "object", "minProperties": 1,
           "not": {"required": ["network_type"],
                   "properties": {"network_type": {"const": "unmanaged"}}}},
    "then": {"required": ["switch_id", "port_id"],
             "x-missing": "{head}.{missing} is missing (needed unless network_type "
                          "is unmanaged)"},
}

PORT = {
    "type": "object",
    "description": "must be a mapping with an address",
    "required": ["address"],
    "additionalProperties": False,
    "properties": {
        "address": {},  # a MAC address: baremetal_common.mac
        "physical_network": _text("must be a non-empty string of up to 64 characters",
                                  maxLength=64),
        "local_link_connection": LOCAL_LINK,
    },
}

ROOT_DEVICE = {
    "type": ["object", "null"],
    "minProperties": 1,
    "description": f"must be a mapping of root device hints ({', '.join(ROOT_HINTS)})",
    "additionalProperties": False,
    "x-unknown": "{label}: {where}.{key} is not a root device hint ("
                 + ", ".join(ROOT_HINTS) + ")",
    "properties": {
        **{hint: _text() for hint in ROOT_HINTS},
        "size": {"anyOf": [{"type": "integer", "minimum": 1},
                           {"type": "string", "pattern": r"\S"}],
                 "description": "must be GiB, e.g. 100 or '>= 100'"},
        "rotational": {"type": ["boolean", "string"], "description": "must be true or false"},
    },
}

NODE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "_comment": {},
        "name": _text(NAME_RULE, pattern=NAME_PATTERN),
        "uuid": _text("is not a UUID"),  # its spellings: inventory (uuid.UUID)
        "pm_type": {"type": "string",  # which ones: pm_types
                    "description": f"is not supported: use one of {pm_types.NAMES}"},
        "pm_addr": _text(),
        "pm_port": _optional(f"is not an integer {PORT_MIN}-{PORT_MAX}",
                             type=["integer", "string"], pattern=r"^\s*\d+\s*$"),
        "pm_user": _text(),
        "pm_password": _optional("must be a string", type="string"),
        "pm_system_id": _text(),
        "mac": {"type": ["string", "array", "null"],
                "description": "must be a list of MAC addresses"},
        "ports": {"type": ["array", "null"], "items": PORT,
                  "description": 'must be a list of {"address": MAC, "physical_network": '
                                 '..., "local_link_connection": {...}}'},
        "cpu": _count(1),
        "memory": _count(1),
        "disk": _count(0),
        "arch": _optional(f"is not one of {', '.join(ARCHES)}", enum=list(ARCHES)),
        "capabilities": {"type": ["string", "object", "null"],
                         "description": "must be 'key:value,key:value' or a mapping of "
                                        "keys to values"},
        "profile": _text(NAME_RULE, pattern=NAME_PATTERN),
        "root_device": ROOT_DEVICE,
        **{key: _text() for key in INTERFACES},
        "resource_class": _text("is invalid: up to 80 letters, digits and _.-",
                                pattern=r"^[A-Za-z0-9_.\-]{1,80}$"),
        "platform": _text(),
        "conductor_group": _optional("is invalid: letters, digits and _.-",
                                     type="string", pattern=r"^[A-Za-z0-9_.\-]{0,255}$"),
        **{key: _text() for key in ("kernel_id", "ramdisk_id", "deploy_kernel",
                                    "deploy_ramdisk")},
    },
    # Ironic reads the platform with the architecture
    "if": {"required": ["platform"],
           "properties": {"platform": {"type": "string", "minLength": 1}}},
    "then": {"required": ["arch"],
             "x-missing": "{label}: platform {instance[platform]!r} needs {missing}"},
}

NODES = {"type": "array", "items": NODE}
#: ``{"nodes": [...]}`` (other top-level keys are TripleO's, not read), or the list
DOCUMENT = {"if": {"type": "object"},
            "then": {"required": ["nodes"], "properties": {"nodes": NODES}},
            "else": NODES}
SHAPE = ("must be a mapping with a 'nodes' list "
         '(e.g. {"nodes": [{"pm_addr": ...}]})')

_VALIDATOR = validator(DOCUMENT)


def node_label(index: int, raw: object) -> str:
    """``node INDEX (NAME)``, ``-`` for a missing or unusable name."""
    name = raw.get("name") if isinstance(raw, dict) else None
    return f"node {index} ({name if isinstance(name, str) and name else '-'})"


def _where(path: list) -> str:
    """``ports[0].local_link_connection`` from its path inside a node."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _messages(error: jsonschema.ValidationError, label: str, where: str) -> Iterator[str]:
    schema = error.schema if isinstance(error.schema, dict) else {}
    head = f"{label}: {where}" if where else label
    if error.validator == "required":
        template = schema.get("x-missing", "{head}.{missing} is missing")
        for missing in error.validator_value:
            if missing not in error.instance:
                yield template.format(head=head, label=label, missing=missing,
                                      instance=error.instance)
        return
    if error.validator == "additionalProperties":
        template = schema.get("x-unknown", "{head}: unknown field {key!r}")
        for key in sorted(set(error.instance) - set(schema["properties"]), key=str):
            yield template.format(head=head, label=label, where=where, key=key)
        return
    description = schema.get("description", error.message)
    yield f"{label}: {where} {error.instance!r} {description}"


def _order(error: jsonschema.ValidationError) -> list[tuple[int, int, str]]:
    return [(0, p, "") if isinstance(p, int) else (1, 0, str(p))
            for p in error.absolute_path]


def node_errors(document: object, source: str) -> dict[int, list[tuple[str | None, str]]]:
    """Each node's structural problems: index -> [(top-level field or None, message)].

    :raises InventoryError: when ``document`` is not (a mapping with) a list of nodes.
    """
    skip = 1 if isinstance(document, dict) else 0
    nodes = document.get("nodes") if isinstance(document, dict) else document
    found: dict[int, list[tuple[str | None, str]]] = {}
    for error in sorted(_VALIDATOR.iter_errors(document), key=_order):
        path = list(error.absolute_path)[skip:]
        if not path or (skip and list(error.absolute_path)[:1] != ["nodes"]):
            raise InventoryError(source, [SHAPE])
        index, inside = path[0], path[1:]
        raw = nodes[index]  # type: ignore[index]
        if not isinstance(raw, dict):
            message = f"node {index}: must be a mapping, not {type(raw).__name__}"
            found.setdefault(index, []).append((None, message))
            continue
        field = str(inside[0]) if inside else None
        for message in _messages(error, node_label(index, raw), _where(inside)):
            if (field, message) not in found.get(index, []):
                found.setdefault(index, []).append((field, message))
    return found
