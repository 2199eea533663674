"""Standard IPMI chassis commands sent as raw requests through a pyghmi ``Command``.

pyghmi's ``get_power``/``set_power`` first identify the BMC's vendor (a Get Device
ID round trip on every call for vendors it has no handler for) and ``set_power``
reads the state before changing it. Ironic needs neither: these functions send
exactly one standard request (IPMI 2.0 spec, chassis netfn 0x00).
"""

from __future__ import annotations

from typing import Any

from pyghmi import exceptions as pyghmi_exc

NETFN_CHASSIS = 0x00
GET_CHASSIS_STATUS = 0x01
CHASSIS_CONTROL = 0x02
# Chassis Control data byte for each action we send.
CONTROL = {"off": 0x00, "on": 0x01, "cycle": 0x02, "reset": 0x03, "shutdown": 0x05}


def _checked(response: dict[str, Any]) -> dict[str, Any]:
    if "error" in response:
        raise pyghmi_exc.IpmiException(response["error"], response.get("code", 0))
    return response


def get_power(cmd: Any) -> str:
    """Return ``'on'`` or ``'off'`` from Get Chassis Status (current power state bit).

    :param cmd: a logged-in pyghmi ``Command``.
    :raises: pyghmi's IpmiException on an error answer or no answer; ValueError on
        an answer too short to hold the power state.
    """
    data = _checked(cmd.raw_command(netfn=NETFN_CHASSIS, command=GET_CHASSIS_STATUS))["data"]
    if not data:
        raise ValueError("Get Chassis Status answer has no data")
    return "on" if data[0] & 0x01 else "off"


def control(cmd: Any, action: str) -> None:
    """Send Chassis Control ``action`` (one of :data:`CONTROL`).

    :raises: KeyError for an unknown action; pyghmi's IpmiException on an error
        answer or no answer.
    """
    _checked(cmd.raw_command(netfn=NETFN_CHASSIS, command=CHASSIS_CONTROL,
                             data=(CONTROL[action],)))
