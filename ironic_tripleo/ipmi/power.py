"""The ``pyghmi`` power interface: power state through the shared session pool.

A power state is only ever what the BMC reported; when it cannot be read the
interface raises instead of guessing.
"""

from __future__ import annotations

import logging
from typing import Any

import tenacity
from ironic.common import exception as ironic_exc
from ironic.common import states
from ironic.conductor import task_manager
from ironic.drivers import base

from ironic_tripleo.ipmi import conductor, driver_info
from ironic_tripleo.ipmi.session_pool import SessionPool

LOG = logging.getLogger(__name__)

_STATES = {"on": states.POWER_ON, "off": states.POWER_OFF}


def request_and_wait(pool: SessionPool, bmc: driver_info.BMC, request: str, target: str,
                     timeout: float, poll_interval: float, node: str = "?") -> None:
    """Ask the BMC for ``request`` and wait until it reports ``target``.

    :param request: pyghmi power request: ``on``, ``off`` or ``shutdown``.
    :param target: ``on`` or ``off``, the state that means done.
    :param timeout: seconds to wait for ``target`` after the request.
    :param poll_interval: seconds between two reads of the power state.
    :param node: node label for the error message.
    :raises: Ironic's PowerStateFailure if ``target`` is not reached in time; our
        IPMIError subclasses when the BMC cannot be talked to.
    """
    if request == "shutdown" and pool.get_power(bmc) == "off":
        return
    pool.set_power(bmc, request)
    # Read until ``target``; the last read is at the deadline (sleeps are cut to it).
    # An IPMI error is not retried: retry_if_result lets it through at once.
    waiting = tenacity.Retrying(
        retry=tenacity.retry_if_result(lambda state: state != target),
        stop=tenacity.stop_after_delay(timeout),
        wait=lambda attempt: min(poll_interval,
                                 max(timeout - (attempt.seconds_since_start or 0), 0)))
    try:
        waiting(pool.get_power, bmc)
    except tenacity.RetryError as exc:
        state = exc.last_attempt.result()
        raise ironic_exc.PowerStateFailure(
            message=f"Node {node}: BMC {bmc.label} still reports power {state} "
                    f"{timeout}s after 'power {request}'") from None


class PyghmiPower(base.PowerInterface):
    """Power on, off, soft off and reboot over native IPMI (pyghmi)."""

    def get_properties(self) -> dict[str, str]:
        """Return the driver_info fields this interface reads."""
        return dict(driver_info.COMMON_PROPERTIES)

    def validate(self, task: Any) -> None:
        """Check the node's driver_info (no BMC traffic).

        :raises: MissingParameterValue, InvalidParameterValue naming every field.
        """
        conductor.bmc_of(task)

    def get_power_state(self, task: Any) -> str:
        """Return ``power on`` or ``power off`` as read from the BMC.

        :raises: IPMIFailure when the BMC cannot be read (never a guessed state).
        """
        bmc = conductor.bmc_of(task)
        with conductor.ironic_errors(task):
            return _STATES[conductor.default_pool().get_power(bmc)]

    def get_supported_power_states(self, task: Any) -> list[str]:
        """Return the power states :meth:`set_power_state` accepts."""
        return [states.POWER_ON, states.POWER_OFF, states.REBOOT,
                states.SOFT_REBOOT, states.SOFT_POWER_OFF]

    @task_manager.require_exclusive_lock
    def set_power_state(self, task: Any, power_state: str, timeout: int | None = None) -> None:
        """Set the power state and wait until the BMC reports it.

        :param power_state: one of :meth:`get_supported_power_states`.
        :param timeout: seconds to wait; default [conductor]power_state_change_timeout
            (soft_power_off_timeout for soft actions).
        :raises: InvalidParameterValue for an unsupported state; PowerStateFailure
            when the state is not reached in time; IPMIFailure on BMC errors.
        """
        if power_state == states.POWER_ON:
            self._wait(task, "on", "on", timeout, soft=False)
        elif power_state == states.POWER_OFF:
            self._wait(task, "off", "off", timeout, soft=False)
        elif power_state == states.SOFT_POWER_OFF:
            self._wait(task, "shutdown", "off", timeout, soft=True)
        elif power_state == states.REBOOT:
            self.reboot(task, timeout)
        elif power_state == states.SOFT_REBOOT:
            self._reboot(task, timeout, soft=True)
        else:
            raise ironic_exc.InvalidParameterValue(
                f"Node {conductor.node_label(task)}: power state {power_state!r} is not "
                f"one of {', '.join(self.get_supported_power_states(task))}")

    @task_manager.require_exclusive_lock
    def reboot(self, task: Any, timeout: int | None = None) -> None:
        """Power off (hard) and on again; a node that is off is just powered on.

        :raises: PowerStateFailure, IPMIFailure.
        """
        self._reboot(task, timeout, soft=False)

    def _reboot(self, task: Any, timeout: int | None, soft: bool) -> None:
        if soft:
            self._wait(task, "shutdown", "off", timeout, soft=True)
        else:
            self._wait(task, "off", "off", timeout, soft=False)
        self._wait(task, "on", "on", timeout, soft=False)

    def _wait(self, task: Any, request: str, target: str, timeout: int | None,
              soft: bool) -> None:
        bmc = conductor.bmc_of(task)
        if not timeout:
            timeout = (conductor.CONF.conductor.soft_power_off_timeout if soft
                       else conductor.CONF.conductor.power_state_change_timeout)
        LOG.info("Node %s: BMC %s: power %s (waiting up to %ss for %s)",
                 conductor.node_label(task), bmc.label, request, timeout, target)
        poll = conductor.CONF.tripleo_ipmi.power_state_poll_interval
        with conductor.ironic_errors(task):
            request_and_wait(conductor.default_pool(), bmc, request, target, timeout,
                             poll, node=conductor.node_label(task))
