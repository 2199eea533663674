"""JSON schema of the virtual BMC's config file; its errors as (node, field, reason).

The structure only: types, required and unknown keys, ranges. What is not
structural stays with the loader (:mod:`ironic_tripleo.vbmc.config`): the IP
address, the backend being registered, the IPMI byte limits of the credentials,
clashes between nodes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema

from ironic_tripleo.bmc_limits import PORT_MAX, PORT_MIN
from ironic_tripleo.document_schema import validator

MAX_WORKERS = 256


def _text(description: str) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "description": description}


#: every leaf has a "description": what its value must be, used in the messages
NODE = {
    "type": "object",
    "required": ["name", "port", "username", "password"],
    "additionalProperties": False,
    "properties": {
        "name": _text("a non-empty string"),
        "address": {"type": "string", "description": "an IP address"},
        "port": {"type": "integer", "minimum": PORT_MIN, "maximum": PORT_MAX,
                 "description": f"a port {PORT_MIN}-{PORT_MAX}"},
        "username": _text("a non-empty string"),
        "password": _text("a non-empty string"),
        "backend": {"type": "string", "description": "a backend name"},
        "backend_args": {"type": ["object", "null"], "propertyNames": {"type": "string",
                                           "description": "a keyword argument name"},
                         "description": "a mapping of keyword arguments"},
    },
}

CONFIG = {
    "type": "object",
    "required": ["nodes"],
    "additionalProperties": False,
    "description": "a mapping with a list of nodes",
    "properties": {
        "nodes": {"type": "array", "items": NODE, "description": "a list of nodes"},
        "session_timeout": {"type": "number", "exclusiveMinimum": 0,
                            "description": "a positive number"},
        "workers": {"type": "integer", "minimum": 1, "maximum": MAX_WORKERS,
                    "description": f"an integer 1-{MAX_WORKERS}"},
    },
}

_VALIDATOR = validator(CONFIG)


def _node_label(document: Any, path: list) -> str:
    """The name of the node ``path`` is in (``#INDEX`` without a usable one), or -."""
    if len(path) < 2 or path[0] != "nodes":
        return "-"
    entry = document["nodes"][path[1]]
    name = entry.get("name") if isinstance(entry, Mapping) else None
    return name if isinstance(name, str) and name else f"#{path[1]}"


def _describe(error: jsonschema.ValidationError) -> tuple[str, str]:
    """(field, reason) of one schema error."""
    path = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    properties = schema.get("properties", {})
    if error.validator == "required":
        missing = next(k for k in error.validator_value if k not in error.instance)
        return missing, f"required, {properties[missing]['description']}"
    if error.validator == "additionalProperties":
        unknown = sorted(set(error.instance) - set(properties), key=str)
        return str(unknown[0]), f"unknown field; allowed: {', '.join(sorted(properties))}"
    if not path:
        return "nodes", f"the file must be {schema['description']}"
    if len(path) == 2 and path[0] == "nodes":
        return "-", "each node must be a mapping"
    return str(path[-1]), f"{error.instance!r} is not {schema['description']}"


def _order(error: jsonschema.ValidationError) -> list[tuple[int, int, str]]:
    return [(0, p, "") if isinstance(p, int) else (1, 0, str(p))
            for p in error.absolute_path]


def errors(document: object) -> Iterator[tuple[str, str, str]]:
    """(node, field, reason) of each structural problem, in document order."""
    for error in sorted(_VALIDATOR.iter_errors(document), key=_order):
        field, reason = _describe(error)
        yield _node_label(document, list(error.absolute_path)), field, reason
