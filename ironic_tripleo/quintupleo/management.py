"""The ``nova`` management interface: boot device pxe or disk on a Nova server."""

from __future__ import annotations

import logging
from typing import Any

from ironic.common import boot_devices
from ironic.common import exception as ironic_exc
from ironic.conductor import task_manager
from ironic.drivers import base

from ironic_tripleo.quintupleo import conductor, driver_info

LOG = logging.getLogger(__name__)

_SUPPORTED = (boot_devices.PXE, boot_devices.DISK)


class NovaManagement(base.ManagementInterface):
    """Boot device through server metadata or rescue ([tripleo_nova]boot_method)."""

    def get_properties(self) -> dict[str, str]:
        """Return the driver_info fields this interface reads."""
        return dict(driver_info.COMMON_PROPERTIES)

    def validate(self, task: Any) -> None:
        """Check the node's driver_info (no cloud traffic).

        :raises: MissingParameterValue, InvalidParameterValue naming every field.
        """
        conductor.target_of(task)

    def get_supported_boot_devices(self, task: Any) -> list[str]:
        """``pxe`` and ``disk``."""
        return list(_SUPPORTED)

    @task_manager.require_exclusive_lock
    def set_boot_device(self, task: Any, device: str, persistent: bool = False) -> None:
        """Record the boot device on the server; always persistent (Nova has no
        one-time boot), applied at the next power on or reboot.

        :raises: InvalidParameterValue for another device; IronicException when
            Nova cannot be told.
        """
        if device not in _SUPPORTED:
            raise ironic_exc.InvalidParameterValue(
                f"Node {conductor.node_label(task)}: boot device {device!r} is not one "
                f"of {', '.join(_SUPPORTED)}")
        server = conductor.server_of(task)
        with conductor.ironic_errors(task, ironic_exc.IronicException):
            server.set_boot_device(device)

    def get_boot_device(self, task: Any) -> dict[str, Any]:
        """``{'boot_device': 'pxe'|'disk', 'persistent': True}`` as recorded in Nova."""
        server = conductor.server_of(task)
        with conductor.ironic_errors(task, ironic_exc.IronicException):
            return {"boot_device": server.get_boot_device(), "persistent": True}

    def get_sensors_data(self, task: Any) -> dict:
        """Nova servers have no sensors."""
        raise NotImplementedError()
