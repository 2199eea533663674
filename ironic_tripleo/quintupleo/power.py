"""The ``nova`` power interface: a node's power is its Nova server's.

A power state is only ever what Nova reported once settled; when it cannot be
read (ERROR or deleted server, unreachable cloud, task still running at the
timeout) the interface raises instead of guessing.
"""

from __future__ import annotations

import logging
from typing import Any

from ironic.common import exception as ironic_exc
from ironic.common import states
from ironic.conductor import task_manager
from ironic.drivers import base

from ironic_tripleo.quintupleo import conductor, driver_info
from ironic_tripleo.quintupleo.power_states import Power

LOG = logging.getLogger(__name__)

_STATES = {Power.ON: states.POWER_ON, Power.OFF: states.POWER_OFF}


class NovaPower(base.PowerInterface):
    """Power on, off, soft off, reboot, soft reboot: Nova start, stop, reboot."""

    def get_properties(self) -> dict[str, str]:
        """Return the driver_info fields this interface reads."""
        return dict(driver_info.COMMON_PROPERTIES)

    def validate(self, task: Any) -> None:
        """Check the node's driver_info (no cloud traffic).

        :raises: MissingParameterValue, InvalidParameterValue naming every field.
        """
        conductor.target_of(task)

    def get_power_state(self, task: Any) -> str:
        """``power on`` or ``power off`` as Nova reports it once no task runs.

        :raises: PowerStateFailure when it cannot be known (never a guessed state).
        """
        server = conductor.server_of(task)
        with conductor.ironic_errors(task):
            return _STATES[server.get_power()]

    def get_supported_power_states(self, task: Any) -> list[str]:
        """Return the power states :meth:`set_power_state` accepts."""
        return [states.POWER_ON, states.POWER_OFF, states.REBOOT,
                states.SOFT_REBOOT, states.SOFT_POWER_OFF]

    @task_manager.require_exclusive_lock
    def set_power_state(self, task: Any, power_state: str, timeout: int | None = None) -> None:
        """Set the power state and wait until Nova reports it.

        :param timeout: seconds to wait; default [tripleo_nova]state_timeout.
        :raises: InvalidParameterValue for an unsupported state; PowerStateFailure.
        """
        server = conductor.server_of(task)
        label = conductor.node_label(task)
        LOG.info("Node %s: %s -> %s", label, server, power_state)
        with conductor.ironic_errors(task):
            if power_state == states.POWER_ON:
                server.power_on(timeout or None)
            elif power_state in (states.POWER_OFF, states.SOFT_POWER_OFF):
                server.power_off(timeout or None)
            elif power_state == states.REBOOT:
                server.reboot(soft=False, timeout=timeout or None)
            elif power_state == states.SOFT_REBOOT:
                server.reboot(soft=True, timeout=timeout or None)
            else:
                raise ironic_exc.InvalidParameterValue(
                    f"Node {label}: power state {power_state!r} is not one of "
                    f"{', '.join(self.get_supported_power_states(task))}")

    @task_manager.require_exclusive_lock
    def reboot(self, task: Any, timeout: int | None = None) -> None:
        """Hard reboot; a node that is off is powered on.

        :raises: PowerStateFailure.
        """
        self.set_power_state(task, states.REBOOT, timeout)
