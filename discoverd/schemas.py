"""JSON schema of the ramdisk's ``POST /v1/continue`` payload (IPA inventory)."""

from typing import Any

import jsonschema

from discoverd import exception

# Plausible ranges: a value outside them is a broken or hostile ramdisk, and would
# otherwise become a node property (a 10**40 disk made local_gb a 40-digit number).
MAX_CPUS = 65536
MAX_MEMORY_MB = 2 ** 32            # 4 PiB
MAX_DISK_BYTES = 2 ** 60           # 1 EiB
MAX_INTERFACES = 1024
MAX_DISKS = 4096
MAX_FACTS = 100_000
MAX_NAME = 255


def _str(max_length: int = MAX_NAME, null: bool = False) -> dict[str, Any]:
    return {"type": ["string", "null"] if null else "string", "maxLength": max_length}


def _int(maximum: int, minimum: int = 0) -> dict[str, Any]:
    return {"type": "integer", "minimum": minimum, "maximum": maximum}


CONTINUE = {
    "type": "object",
    "required": ["inventory"],
    "properties": {
        "inventory": {
            "type": "object",
            "required": ["interfaces"],
            "properties": {
                "interfaces": {"type": "array", "maxItems": MAX_INTERFACES, "items": {
                    "type": "object",
                    "required": ["mac_address"],
                    "properties": {"name": _str(),
                                   "mac_address": _str(64, null=True),
                                   "ipv4_address": _str(64, null=True)}}},
                "cpu": {"type": "object", "properties": {
                    "count": _int(MAX_CPUS, minimum=1),
                    "architecture": _str(64),
                    "model_name": _str(null=True),
                    "flags": {"type": "array", "maxItems": 4096, "items": _str(64)}}},
                "memory": {"type": "object", "properties": {
                    "total": _int(MAX_MEMORY_MB * 2 ** 20),
                    "physical_mb": _int(MAX_MEMORY_MB)}},
                "disks": {"type": "array", "maxItems": MAX_DISKS, "items": {
                    "type": "object", "properties": {"name": _str(),
                                                     "size": _int(MAX_DISK_BYTES)}}},
                "bmc_address": _str(null=True),
                "bmc_v6address": _str(null=True),
                "system_vendor": {"type": ["object", "null"]},
                "boot": {"type": ["object", "null"]},
            },
        },
        "data": {"type": ["array", "null"], "maxItems": MAX_FACTS, "items": {
            "type": "array", "minItems": 4, "maxItems": 4,
            "prefixItems": [_str()] * 3}},
        "boot_interface": _str(64, null=True),
        "error": _str(4096, null=True),
        "logs": {"type": ["string", "null"]},
    },
}

_VALIDATOR = jsonschema.Draft202012Validator(CONTINUE)


def validate_continue(payload: Any) -> None:
    """Check the ramdisk payload.

    :raises InvalidInput: naming the first bad field and the rule it breaks.
    """
    error = next(iter(sorted(_VALIDATOR.iter_errors(payload),
                             key=lambda e: [str(p) for p in e.absolute_path])), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(payload)"
        message = error.message if len(error.message) <= 300 else \
            f"{error.message[:150]}...{error.message[-150:]}"
        raise exception.InvalidInput(
            reason=f"ramdisk data at {where}: {message}; expected "
                   f"{{'inventory': {{IPA inventory}}, 'data': [[class, name, key, value]"
                   f", ...], 'boot_interface': MAC, 'error': null|str, 'logs': base64}}")
