"""Standard IPMI chassis commands sent as raw requests through a pyghmi ``Command``.

pyghmi's ``get_power``/``set_power`` first identify the BMC's vendor (a Get Device
ID round trip on every call for vendors it has no handler for) and ``set_power``
reads the state before changing it. Ironic needs neither: these functions send
exactly one standard request (IPMI 2.0 spec, chassis netfn 0x00).
"""

from __future__ import annotations

from typing import Any

from pyghmi import exceptions as pyghmi_exc

from ironic_tripleo.ipmi import pyghmi_session

NETFN_CHASSIS = 0x00
GET_CHASSIS_STATUS = 0x01
CHASSIS_CONTROL = 0x02
# Chassis Control data byte for each action we send.
CONTROL = {"off": 0x00, "on": 0x01, "cycle": 0x02, "reset": 0x03, "shutdown": 0x05}


def _checked(response: dict[str, Any]) -> dict[str, Any]:
    if "error" in response:
        raise pyghmi_exc.IpmiException(response["error"], response.get("code", 0))
    return response


def _raw(cmd: Any, command: int, data: tuple[int, ...], timeout: float | None
         ) -> dict[str, Any]:
    if timeout is None:
        return cmd.raw_command(netfn=NETFN_CHASSIS, command=command, data=data)
    return pyghmi_session.raw_command(cmd, NETFN_CHASSIS, command, data, timeout)


def get_power(cmd: Any, timeout: float | None = None) -> str:
    """Return ``'on'`` or ``'off'`` from Get Chassis Status (current power state bit).

    :param cmd: a logged-in pyghmi ``Command``.
    :param timeout: seconds to wait for the answer in this thread; None leaves
        the wait to pyghmi.
    :raises: pyghmi's IpmiException on an error answer or no answer; ValueError on
        an answer too short to hold the power state; TimedOut after ``timeout``.
    """
    data = _checked(_raw(cmd, GET_CHASSIS_STATUS, (), timeout))["data"]
    if not data:
        raise ValueError("Get Chassis Status answer has no data")
    return "on" if data[0] & 0x01 else "off"


def control(cmd: Any, action: str, timeout: float | None = None) -> None:
    """Send Chassis Control ``action`` (one of :data:`CONTROL`).

    :param timeout: as for :func:`get_power`.
    :raises: KeyError for an unknown action; pyghmi's IpmiException on an error
        answer or no answer; TimedOut after ``timeout``.
    """
    _checked(_raw(cmd, CHASSIS_CONTROL, (CONTROL[action],), timeout))
