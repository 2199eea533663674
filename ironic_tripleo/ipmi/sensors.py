"""Sensor readings from pyghmi in the format Ironic (and Ceilometer) expect.

``{sensor_type: {sensor_id: {"Sensor ID": ..., "Sensor Reading": ..., ...}}}``, the
same keys Ironic's ipmitool interface produces for the fields both know.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Completion code "requested sensor, data, or record not present": no SDR repository.
NOT_PRESENT = 0xCB


def _reading(sensor: Any) -> str:
    if getattr(sensor, "unavailable", 0):
        return "Unavailable"
    value = getattr(sensor, "value", None)
    if value is None:
        states = getattr(sensor, "states", None) or []
        return ", ".join(str(s) for s in states) or "No Reading"
    units = getattr(sensor, "units", "") or ""
    imprecision = getattr(sensor, "imprecision", None)
    text = f"{value} (+/- {imprecision}) {units}" if imprecision else f"{value} {units}"
    return text.strip()


def to_ironic(readings: Iterable[Any]) -> dict[str, dict[str, dict[str, str]]]:
    """Group pyghmi ``SensorReading`` objects by type, keyed by sensor name.

    :param readings: objects with ``name``, ``type``, ``value``, ``units``,
        ``imprecision``, ``states``, ``health``, ``unavailable`` attributes.
    :returns: Ironic's sensors-data dictionary (empty when there is no sensor).
    """
    result: dict[str, dict[str, dict[str, str]]] = {}
    for sensor in readings:
        name = str(getattr(sensor, "name", "") or "unnamed")
        kind = str(getattr(sensor, "type", "") or "Unknown")
        result.setdefault(kind, {})[name] = {
            "Sensor ID": name,
            "Sensor Type": kind,
            "Sensor Reading": _reading(sensor),
            "Units": str(getattr(sensor, "units", "") or ""),
            "Health": str(getattr(sensor, "health", "")),
            "States": ", ".join(str(s) for s in getattr(sensor, "states", None) or []),
        }
    return result


def read_all(cmd: Any) -> list[Any]:
    """Read every sensor through a pyghmi ``Command``; no SDR repository means none.

    :raises: pyghmi's IpmiException for other errors.
    """
    from pyghmi import exceptions as pyghmi_exc

    try:
        return list(cmd.get_sensor_data())
    except pyghmi_exc.IpmiException as e:
        if getattr(e, "ipmicode", None) == NOT_PRESENT or "not present" in str(e).lower():
            return []
        raise
