"""JSON schema of the ramdisk's ``POST /v1/continue`` payload (IPA inventory)."""

from typing import Any

import jsonschema

from discoverd import exception

_STR_OR_NULL = {"type": ["string", "null"]}
_NUM = {"type": ["integer", "number"], "minimum": 0}

CONTINUE = {
    "type": "object",
    "required": ["inventory"],
    "properties": {
        "inventory": {
            "type": "object",
            "required": ["interfaces"],
            "properties": {
                "interfaces": {"type": "array", "items": {
                    "type": "object",
                    "required": ["mac_address"],
                    "properties": {"name": {"type": "string"},
                                   "mac_address": _STR_OR_NULL,
                                   "ipv4_address": _STR_OR_NULL}}},
                "cpu": {"type": "object", "properties": {
                    "count": _NUM, "architecture": {"type": "string"},
                    "model_name": _STR_OR_NULL,
                    "flags": {"type": "array", "items": {"type": "string"}}}},
                "memory": {"type": "object", "properties": {
                    "total": _NUM, "physical_mb": _NUM}},
                "disks": {"type": "array", "items": {
                    "type": "object", "properties": {"name": {"type": "string"},
                                                     "size": _NUM}}},
                "bmc_address": _STR_OR_NULL,
                "bmc_v6address": _STR_OR_NULL,
                "system_vendor": {"type": ["object", "null"]},
                "boot": {"type": ["object", "null"]},
            },
        },
        "data": {"type": ["array", "null"], "items": {
            "type": "array", "minItems": 4, "maxItems": 4,
            "prefixItems": [{"type": "string"}] * 3}},
        "boot_interface": _STR_OR_NULL,
        "error": _STR_OR_NULL,
        "logs": _STR_OR_NULL,
    },
}

_VALIDATOR = jsonschema.Draft202012Validator(CONTINUE)


def validate_continue(payload: Any) -> None:
    """Check the ramdisk payload.

    :raises InvalidInput: naming the first bad field and the rule it breaks.
    """
    error = next(iter(sorted(_VALIDATOR.iter_errors(payload), key=lambda e: e.path)), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(payload)"
        raise exception.InvalidInput(
            reason=f"ramdisk data at {where}: {error.message}; expected "
                   f"{{'inventory': {{IPA inventory}}, 'data': [[class, name, key, value]"
                   f", ...], 'boot_interface': MAC, 'error': null|str, 'logs': base64}}")
