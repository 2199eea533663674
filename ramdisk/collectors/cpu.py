"""CPU: count, architecture, model, frequency and flags (IPA's ``CPU``)."""

from __future__ import annotations

import os
import platform

import psutil

CPUINFO = "/proc/cpuinfo"


def parse_cpuinfo(text: str) -> dict[str, object]:
    """Return model name, frequency (MHz, as a string), flags and socket count.

    Reads the first processor block for the model, frequency and flags (x86
    ``flags``, arm ``Features``); counts distinct ``physical id`` values for sockets.
    """
    first: dict[str, str] = {}
    sockets: set[str] = set()
    blocks = [b for b in text.split("\n\n") if b.strip()]
    for index, block in enumerate(blocks):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            key, sep, value = line.partition(":")
            if sep:
                fields[key.strip().lower()] = value.strip()
        if "physical id" in fields:
            sockets.add(fields["physical id"])
        if index == 0:
            first = fields
    model = first.get("model name") or first.get("cpu model") or first.get("cpu") or ""
    frequency = first.get("cpu mhz") or ""
    flags = (first.get("flags") or first.get("features") or "").split()
    return {
        "model_name": model,
        "frequency": frequency,
        "flags": flags,
        "socket_count": len(sockets) or 1,
    }


def max_frequency_mhz() -> str:
    """Return the highest frequency psutil knows of, in MHz as a string, or ''."""
    try:
        freq = psutil.cpu_freq()
    except (OSError, NotImplementedError):
        return ""
    if not freq:
        return ""
    value = freq.max or freq.current
    return str(round(value, 3)) if value else ""


def collect(cpuinfo_path: str = CPUINFO) -> dict[str, object]:
    """Return the inventory's ``cpu`` section for this machine."""
    with open(cpuinfo_path, encoding="utf-8", errors="replace") as f:
        info = parse_cpuinfo(f.read())
    return {
        "model_name": info["model_name"],
        "frequency": info["frequency"] or max_frequency_mhz(),
        "count": psutil.cpu_count(logical=True) or os.cpu_count() or 1,
        "architecture": platform.machine(),
        "flags": info["flags"],
        "socket_count": info["socket_count"],
    }
