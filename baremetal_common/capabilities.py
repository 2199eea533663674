"""Ironic's node capabilities: the ``'key:value,key:value'`` string in properties."""

from __future__ import annotations


def parse_capabilities(value: str | dict | None) -> dict[str, str]:
    """``'profile:compute,boot_mode:uefi'`` (or a dict, or nothing) -> dict.

    Items without a colon are ignored; a value keeps any further colons.
    """
    if not value:
        return {}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    caps = {}
    for item in value.split(","):
        if ":" in item:
            key, val = item.split(":", 1)
            caps[key.strip()] = val.strip()
    return caps


def format_capabilities(caps: dict[str, str]) -> str:
    """dict -> ``'key:value,key:value'``, the inverse of :func:`parse_capabilities`."""
    return ",".join(f"{key}:{value}" for key, value in caps.items())
