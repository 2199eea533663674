"""What a Nova server's state means as a machine's power state: a table, no I/O.

Nova reports three things: ``status`` (from ``vm_state``), the hypervisor's
``power_state`` and ``task_state`` (an operation in progress). While a task runs,
``power_state`` is the state *before* the task ("powering-on" still shows
SHUTDOWN), so a reading during a task is :data:`BUSY`, never on or off: callers
wait it out instead of reporting the opposite of what is about to be true.

A RESCUE server runs its rescue image: Nova refuses to stop it (only ``unrescue``
leaves that state), so it is ON whatever ``power_state`` says (the fake virt
driver leaves it unchanged at rescue).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from typing import Any

# Nova's power_state values (nova.compute.power_state).
NOSTATE, RUNNING, PAUSED, SHUTDOWN, CRASHED, SUSPENDED = 0, 1, 3, 4, 6, 7
POWER_STATE_NAMES = {NOSTATE: "NOSTATE", RUNNING: "RUNNING", PAUSED: "PAUSED",
                     SHUTDOWN: "SHUTDOWN", CRASHED: "CRASHED", SUSPENDED: "SUSPENDED"}


class Power(enum.Enum):
    """What a reading says about the machine."""

    ON = "on"
    OFF = "off"
    BUSY = "busy"     # a task is running, or the hypervisor does not know yet: wait
    ERROR = "error"   # ERROR server: no power state at all
    GONE = "gone"     # deleted or being deleted


#: settled power_state (no task) -> machine power
SETTLED = {
    RUNNING: Power.ON,
    PAUSED: Power.ON,       # frozen but holding its memory: not powered off
    SHUTDOWN: Power.OFF,
    CRASHED: Power.OFF,
    SUSPENDED: Power.OFF,   # saved to disk, nothing runs
    NOSTATE: Power.BUSY,    # building, or the hypervisor has not reported yet
}
#: status -> power whatever power_state says (checked before SETTLED)
BY_STATUS = {
    "ERROR": Power.ERROR,
    "DELETED": Power.GONE,
    "SOFT_DELETED": Power.GONE,
    "BUILD": Power.BUSY,
    "REBUILD": Power.BUSY,
    "MIGRATING": Power.BUSY,
    "RESIZE": Power.BUSY,
    "REBOOT": Power.BUSY,
    "HARD_REBOOT": Power.BUSY,
    "SHELVED": Power.OFF,
    "SHELVED_OFFLOADED": Power.OFF,
}
#: tasks that end with the server deleted
DELETING_TASKS = frozenset({"deleting", "soft-deleting"})


@dataclasses.dataclass(frozen=True)
class Reading:
    """One look at a server, as the fields the mapping uses."""

    status: str
    power_state: int | None
    task_state: str | None
    metadata: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_server(cls, server: Any) -> Reading:
        """Build from an openstacksdk ``Server`` (or anything with its attributes)."""
        return cls(status=str(getattr(server, "status", None) or "UNKNOWN").upper(),
                   power_state=getattr(server, "power_state", None),
                   task_state=getattr(server, "task_state", None) or None,
                   metadata=dict(getattr(server, "metadata", None) or {}))

    @property
    def power(self) -> Power:
        """What this reading means (see :func:`classify`)."""
        return classify(self.status, self.power_state, self.task_state)

    def describe(self) -> str:
        """``status/power_state/task_state`` for messages."""
        power = POWER_STATE_NAMES.get(self.power_state, str(self.power_state))
        return f"status {self.status}, power_state {power}, task_state {self.task_state}"


def classify(status: str, power_state: int | None, task_state: str | None) -> Power:
    """Say what a server's state means as a machine's power.

    :param status: Nova's server status (``ACTIVE``, ``SHUTOFF``, ``ERROR``...).
    :param power_state: Nova's power_state number, None when not shown.
    :param task_state: Nova's task_state, None when no task runs.
    :returns: ON or OFF only when settled; BUSY during any task (or before the
        hypervisor has reported); ERROR for an ERROR server; GONE when deleted.
    """
    status = (status or "").upper()
    if task_state in DELETING_TASKS:
        return Power.GONE
    if status in BY_STATUS and BY_STATUS[status] in (Power.ERROR, Power.GONE):
        return BY_STATUS[status]
    if task_state:
        return Power.BUSY
    if status == "RESCUE":
        return Power.OFF if power_state == CRASHED else Power.ON
    if status in BY_STATUS:
        return BY_STATUS[status]
    if power_state is None:
        return Power.BUSY
    return SETTLED.get(power_state, Power.BUSY)
