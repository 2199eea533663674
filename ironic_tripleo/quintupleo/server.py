"""The mapping: machine power and boot-device requests onto one Nova server.

Power on, off, soft off, reboot and soft reboot become Nova's start, stop, stop,
reboot HARD and reboot SOFT. On and off are idempotent: the server is read first
and nothing is sent when it already is in the wanted state. Readings taken while a
task runs (``powering-on``, ``rebuilding``...) are waited out until the server
settles, within the timeout; they are never reported as on or off.

Boot device, two methods (``boot_method``):

- ``metadata`` (OVB's way): server metadata ``libvirt:pxe-first`` = ``1`` for
  PXE, empty for disk; a compute host patched as OVB's reads it at the next boot.
- ``rescue`` (sushy-tools' PXE way): the wanted device is recorded in the
  metadata key ``tripleo:boot_device``, and applied at the next power on or
  reboot: PXE boots the server in rescue mode with the configured iPXE image,
  disk leaves rescue (``unrescue``). Nova refuses ``stop``, ``reboot`` and metadata
  updates of a RESCUE server: power off unrescues it first, a reboot unrescues
  (and rescues again for PXE), and setting disk on a RESCUE server unrescues it at
  once (it then runs from its disk, as the next boot would).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Any

import tenacity

from ironic_tripleo.quintupleo import exception
from ironic_tripleo.quintupleo.clouds import Cloud
from ironic_tripleo.quintupleo.power_states import Power, Reading

LOG = logging.getLogger(__name__)

PXE_FIRST_KEY = "libvirt:pxe-first"
BOOT_DEVICE_KEY = "tripleo:boot_device"
BOOT_DEVICES = ("pxe", "disk")
BOOT_METHODS = ("metadata", "rescue")
CONFLICT_RETRIES = 3


@dataclasses.dataclass(frozen=True)
class ServerSettings:
    """How requests are mapped (plain values, from ``[tripleo_nova]``).

    :param state_timeout: seconds an action (or a reading) may wait for the server
        to settle and reach the wanted state.
    :param poll_interval: seconds between two readings while waiting.
    :param boot_method: ``metadata`` or ``rescue``.
    :param rescue_image: image name or ID of the iPXE image (``rescue`` method).
    """

    state_timeout: float = 60.0
    poll_interval: float = 1.0
    boot_method: str = "metadata"
    rescue_image: str | None = None


class NovaServer:
    """One Nova server as a machine: power and boot device.

    :param cloud: the shared connection to its cloud.
    :param server: the server's name or ID.
    :param settings: timeouts and the boot-device method.
    """

    def __init__(self, cloud: Cloud, server: str, settings: ServerSettings) -> None:
        if settings.boot_method not in BOOT_METHODS:
            raise ValueError(f"boot_method {settings.boot_method!r} is not one of "
                             f"{', '.join(BOOT_METHODS)}")
        self.cloud = cloud
        self.server = server
        self.settings = settings

    def __repr__(self) -> str:
        return f"NovaServer({self.server!r} on {self.cloud.label!r})"

    # --- readings -----------------------------------------------------------------

    def _deadline(self, timeout: float | None) -> float:
        return time.monotonic() + (self.settings.state_timeout if timeout is None
                                   else timeout)

    def _id(self, deadline: float) -> str:
        return self.cloud.server_id(self.server, deadline)

    def read(self, deadline: float | None = None) -> Reading:
        """One fresh reading of the server (also refreshes the status cache).

        :raises ServerNotFound, CloudUnreachable, CloudRequestFailed, CloudBusy.
        """
        server_id = self._id(deadline or self._deadline(None))
        try:
            found = self.cloud.call(self.server, "get",
                                    lambda c: c.compute.get_server(server_id), deadline)
        except exception.ServerNotFound:
            self.cloud.forget(self.server)
            raise
        reading = Reading.from_server(found)
        self.cloud.remember(server_id, reading)
        return reading

    def _check(self, reading: Reading) -> Reading:
        power = reading.power
        if power is Power.ERROR:
            raise exception.ServerInError(
                server=self.server, cloud=self.cloud.label, status=reading.status,
                task_state=reading.task_state,
                hint="reset its state in Nova (or rebuild it) and retry")
        if power is Power.GONE:
            self.cloud.forget(self.server)
            raise exception.ServerInError(
                server=self.server, cloud=self.cloud.label, status=reading.status,
                task_state=reading.task_state, hint="it is deleted or being deleted")
        return reading

    def wait_for(self, wanted: Callable[[Reading], bool], description: str,
                 deadline: float) -> Reading:
        """Read until ``wanted(reading)``; ERROR and deleted servers raise at once.

        :raises ServerStateTimeout: naming the last reading, at the deadline (also
            when the deadline came during a later read).
        :raises ServerInError, ServerNotFound, CloudUnreachable...
        """
        last: list[Reading] = []
        started = time.monotonic()

        def attempt() -> bool:
            last[:] = [self._check(self.read(deadline))]
            return wanted(last[0])

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_delay(max(0.0, deadline - time.monotonic())),
            wait=tenacity.wait_fixed(self.settings.poll_interval),
            retry=tenacity.retry_if_result(lambda ok: not ok))
        try:
            retrying(attempt)  # errors (ERROR server, unreachable cloud) end it at once
            return last[0]
        except tenacity.RetryError:
            pass
        except exception.CloudTimeout:
            if not last:  # never read: the cloud's silence is the error
                raise
            # read before, then the deadline came during a read: the wait timed out
        raise exception.ServerStateTimeout(
            server=self.server, cloud=self.cloud.label,
            observed=last[0].describe() if last else "unread",
            wanted=description, seconds=time.monotonic() - started)

    def settled(self, deadline: float) -> Reading:
        """Wait until no task runs and the power is known (ON or OFF)."""
        return self.wait_for(lambda r: r.power in (Power.ON, Power.OFF),
                             "no task running", deadline)

    def get_power(self, timeout: float | None = None, use_cache: bool = True) -> Power:
        """``Power.ON`` or ``Power.OFF``, waiting out a running task.

        :param use_cache: accept a reading younger than the status cache TTL.
        :raises ServerStateTimeout, ServerInError, ServerNotFound, CloudUnreachable...
        """
        deadline = self._deadline(timeout)
        if use_cache:
            cached = self.cloud.cached_reading(self._id(deadline))
            if cached is not None and cached.power in (Power.ON, Power.OFF):
                return cached.power
        return self.settled(deadline).power

    # --- actions ------------------------------------------------------------------

    def _act(self, what: str, func: Callable[[Any, str], Any], deadline: float) -> None:
        server_id = self._id(deadline)
        LOG.info("Nova server %s on %s: %s", self.server, self.cloud.label, what)
        self.cloud.invalidate(server_id)
        try:
            self.cloud.call(self.server, what, lambda c: func(c, server_id), deadline)
        finally:
            self.cloud.invalidate(server_id)

    def _step(self, step: Callable[[], None], deadline: float) -> None:
        """Run ``step`` again when Nova answers 409 (a task started in between)."""
        for attempt in range(CONFLICT_RETRIES + 1):
            try:
                step()
                return
            except exception.CloudRequestFailed as exc:
                if (not exc.kwargs.get("conflict") or attempt == CONFLICT_RETRIES
                        or time.monotonic() >= deadline):
                    raise
                LOG.debug("%r: conflict (%s), reading again", self, exc)
                time.sleep(self.settings.poll_interval)

    def _wants_rescue(self, reading: Reading) -> bool:
        return (self.settings.boot_method == "rescue"
                and reading.metadata.get(BOOT_DEVICE_KEY) == "pxe")

    def _start(self, reading: Reading, deadline: float) -> None:
        if self._wants_rescue(reading):
            self._rescue(deadline)
        else:
            self._act("start", lambda c, s: c.compute.start_server(s), deadline)

    def _rescue(self, deadline: float) -> None:
        if not self.settings.rescue_image:
            raise exception.CloudRequestFailed(
                server=self.server, cloud=self.cloud.label, what="rescue (PXE boot)",
                reason="no iPXE image configured ([tripleo_nova]rescue_image)")
        image = self.cloud.image_id(self.settings.rescue_image, deadline)
        self._act(f"rescue with image {self.settings.rescue_image} (PXE boot)",
                  lambda c, s: c.compute.rescue_server(s, image=image), deadline)

    def _unrescue(self, deadline: float) -> Reading:
        self._act("unrescue (boot from disk)",
                  lambda c, s: c.compute.unrescue_server(s), deadline)
        return self.settled(deadline)

    def power_on(self, timeout: float | None = None, wait: bool = True) -> None:
        """Start the server (rescue it when PXE is wanted by the rescue method).

        No request when it is already on.

        :param wait: wait until Nova reports it on; else return once accepted.
        :raises ServerStateTimeout, ServerInError, ServerNotFound, CloudUnreachable...
        """
        deadline = self._deadline(timeout)

        def step() -> None:
            reading = self.settled(deadline)
            if reading.power is Power.OFF:
                self._start(reading, deadline)

        self._step(step, deadline)
        if wait:
            self.wait_for(lambda r: r.power is Power.ON, "power on", deadline)

    def power_off(self, timeout: float | None = None, wait: bool = True) -> None:
        """Stop the server (Nova stops cleanly, then forcibly after its own timeout).

        No request when it is already off; a RESCUE server is unrescued first,
        since Nova refuses to stop it.
        """
        deadline = self._deadline(timeout)

        def step() -> None:
            reading = self.settled(deadline)
            if reading.power is Power.OFF:
                return
            if reading.status == "RESCUE":
                reading = self._unrescue(deadline)
                if reading.power is Power.OFF:
                    return
            self._act("stop", lambda c, s: c.compute.stop_server(s), deadline)

        self._step(step, deadline)
        if wait:
            self.wait_for(lambda r: r.power is Power.OFF, "power off", deadline)

    def reboot(self, soft: bool = False, timeout: float | None = None,
               wait: bool = True) -> None:
        """Reboot (HARD, or SOFT when ``soft``); a server that is off is started.

        With the rescue method the reboot is what applies the boot device: into
        rescue for PXE (from RESCUE: unrescue, then rescue again), out of it for disk.
        """
        deadline = self._deadline(timeout)

        def step() -> None:
            reading = self.settled(deadline)
            if reading.power is Power.OFF:
                self._start(reading, deadline)
                return
            if self.settings.boot_method == "rescue":
                if reading.status == "RESCUE":
                    reading = self._unrescue(deadline)
                    if self._wants_rescue(reading):
                        self._rescue(deadline)
                    return
                if self._wants_rescue(reading):
                    self._rescue(deadline)
                    return
            kind = "SOFT" if soft and reading.status == "ACTIVE" else "HARD"
            self._act(f"reboot {kind}", lambda c, s: c.compute.reboot_server(s, kind),
                      deadline)

        self._step(step, deadline)
        if wait:
            self.wait_for(lambda r: r.power is Power.ON, "power on after reboot",
                          deadline)

    # --- boot device ----------------------------------------------------------------

    def get_boot_device(self, timeout: float | None = None) -> str:
        """``pxe`` or ``disk``, as recorded on the server (Nova's metadata)."""
        deadline = self._deadline(timeout)
        reading = self._check(self.read(deadline))
        if self.settings.boot_method == "metadata":
            return "pxe" if reading.metadata.get(PXE_FIRST_KEY) else "disk"
        if reading.status == "RESCUE":
            return "pxe"  # booted from the iPXE image right now
        wanted = reading.metadata.get(BOOT_DEVICE_KEY)
        return wanted if wanted in BOOT_DEVICES else "disk"

    def set_boot_device(self, device: str, timeout: float | None = None) -> None:
        """Record ``pxe`` or ``disk`` for the next boot (always persistent).

        :raises ValueError: for another device.
        """
        if device not in BOOT_DEVICES:
            raise ValueError(f"boot device {device!r} is not one of "
                             f"{', '.join(BOOT_DEVICES)}")
        deadline = self._deadline(timeout)
        if self.settings.boot_method == "metadata":
            meta = {PXE_FIRST_KEY: "1" if device == "pxe" else ""}
        else:
            meta = {BOOT_DEVICE_KEY: device}
            reading = self.settled(deadline)
            if reading.status == "RESCUE":
                # Nova refuses metadata updates of a RESCUE server.
                if device == "pxe":
                    return  # booted from the network already; kept at reboot
                self._unrescue(deadline)  # disk now: it boots from its disk
        self._act(f"boot device {device} ({self.settings.boot_method})",
                  lambda c, s: c.compute.set_server_metadata(s, **meta), deadline)
