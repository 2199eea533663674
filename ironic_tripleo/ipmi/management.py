"""The ``pyghmi`` management interface: boot device, boot mode and sensors."""

from __future__ import annotations

import logging
from typing import Any

from ironic.common import boot_devices, boot_modes
from ironic.common import exception as ironic_exc
from ironic.conductor import task_manager

# Imported first, as Ironic does: boot_mode_utils alone fails on a circular import.
from ironic.conductor import utils as _conductor_utils  # noqa: F401, I001
from ironic.drivers import base
from ironic.drivers.modules import boot_mode_utils

from ironic_tripleo.ipmi import chassis, conductor, driver_info, sensors

LOG = logging.getLogger(__name__)

# Ironic boot device -> pyghmi boot device.
TO_PYGHMI = {
    boot_devices.PXE: "network",
    boot_devices.DISK: "hd",
    boot_devices.CDROM: "optical",
    boot_devices.BIOS: "setup",
}
# chassis.get_boot_device's answer -> Ironic boot device ("default": no override set, unknown).
FROM_PYGHMI = {
    "network": boot_devices.PXE,
    "hd": boot_devices.DISK,
    "optical": boot_devices.CDROM,
    "setup": boot_devices.BIOS,
    "safe": boot_devices.SAFE,
    "floppy": boot_devices.FLOPPY,
}


def boot_device_from_pyghmi(answer: dict[str, Any]) -> dict[str, Any]:
    """Turn pyghmi's ``get_bootdev()`` answer into Ironic's boot device dict.

    An unset or unknown override is ``{'boot_device': None, 'persistent': None}``.
    """
    device = FROM_PYGHMI.get(answer.get("bootdev"))
    if device is None:
        return {"boot_device": None, "persistent": None}
    return {"boot_device": device, "persistent": bool(answer.get("persistent"))}


class PyghmiManagement(base.ManagementInterface):
    """Boot device and sensors over native IPMI (pyghmi)."""

    def get_properties(self) -> dict[str, str]:
        """Return the driver_info fields this interface reads."""
        return dict(driver_info.COMMON_PROPERTIES)

    def validate(self, task: Any) -> None:
        """Check the node's driver_info (no BMC traffic).

        :raises: MissingParameterValue, InvalidParameterValue naming every field.
        """
        conductor.bmc_of(task)

    def get_supported_boot_devices(self, task: Any) -> list[str]:
        """Return the boot devices :meth:`set_boot_device` accepts."""
        return list(TO_PYGHMI)

    def get_supported_boot_modes(self, task: Any) -> list[str]:
        """IPMI boot flags can request BIOS or UEFI boot."""
        return [boot_modes.LEGACY_BIOS, boot_modes.UEFI]

    @task_manager.require_exclusive_lock
    def set_boot_device(self, task: Any, device: str, persistent: bool = False) -> None:
        """Set the boot device for the next boot (or all, if ``persistent``).

        :raises: InvalidParameterValue for an unsupported device; IPMIFailure when
            the BMC refuses or cannot be reached.
        """
        if device not in TO_PYGHMI:
            raise ironic_exc.InvalidParameterValue(
                f"Node {conductor.node_label(task)}: boot device {device!r} is not one "
                f"of {', '.join(TO_PYGHMI)}")
        bmc = conductor.bmc_of(task)
        uefi = _boot_mode(task) == boot_modes.UEFI
        LOG.info("Node %s: BMC %s: boot device %s (persistent=%s, uefi=%s)",
                 conductor.node_label(task), bmc.label, device, persistent, uefi)
        with conductor.ironic_errors(task):
            conductor.default_pool().run(
                bmc, lambda: chassis.set_boot_device(TO_PYGHMI[device], persistent, uefi),
                what=f"set boot device {device}")

    def get_boot_device(self, task: Any) -> dict[str, Any]:
        """Return ``{'boot_device': ..., 'persistent': ...}`` (None when unknown).

        :raises: IPMIFailure when the BMC cannot be read.
        """
        bmc = conductor.bmc_of(task)
        with conductor.ironic_errors(task):
            answer = conductor.default_pool().run(bmc, chassis.get_boot_device,
                                                  what="get boot device")
        return boot_device_from_pyghmi(answer)

    def get_boot_mode(self, task: Any) -> str | None:
        """Return the boot mode of the current override (None when none is set).

        :raises: IPMIFailure when the BMC cannot be read.
        """
        bmc = conductor.bmc_of(task)
        with conductor.ironic_errors(task):
            answer = conductor.default_pool().run(bmc, chassis.get_boot_device,
                                                  what="get boot mode")
        if answer.get("bootdev") in (None, "default") or "uefimode" not in answer:
            return None
        return boot_modes.UEFI if answer["uefimode"] else boot_modes.LEGACY_BIOS

    def get_sensors_data(self, task: Any) -> dict[str, dict[str, dict[str, str]]]:
        """Return Ironic's ``{sensor_type: {sensor_id: {...}}}`` sensor dict.

        :raises: FailedToGetSensorData when the BMC cannot be read.
        """
        bmc = conductor.bmc_of(task)
        node = conductor.node_label(task)
        with conductor.ironic_errors(task, ironic_exc.FailedToGetSensorData,
                                     node=node, error="IPMI"):
            readings = conductor.default_pool().run_blocking(bmc, sensors.read_all,
                                                             what="read sensors")
        return sensors.to_ironic(readings)


def _boot_mode(task: Any) -> str | None:
    """The node's requested boot mode, or None if Ironic cannot tell."""
    try:
        return boot_mode_utils.get_boot_mode(task.node)
    except (AttributeError, KeyError, TypeError, ironic_exc.IronicException):
        return None  # a node without the fields Ironic reads: do not request UEFI
