"""The ``discoverd`` inspect interface: Ironic inspection carried out by discoverd.

``inspect_hardware`` records the node in discoverd (``POST /v1/introspection``
with ``manage_boot=false``), boots the node into the discovery ramdisk through the
node's own interfaces, and returns ``inspect wait``. A periodic task polls
discoverd and ends the inspection: ``manageable`` when discoverd finished (it has
written properties, ports and facts through Ironic's API meanwhile), ``inspect
failed`` with discoverd's error otherwise.

Why the conductor, not discoverd, manages the boot: ``inspect_hardware`` runs with
an exclusive lock on the node, so discoverd's own boot-device and power calls
through Ironic's API would be refused (``NodeLocked``) until this very call
returned; and power actions done here go through ``node_power_action``, which
keeps Ironic's power state and history right. The boot itself follows Ironic's
``agent`` inspect interface: when the boot interface supports managed inspection
(``pxe``/``ipxe`` with a deploy kernel and ramdisk), Ironic prepares the ramdisk
with ``ipa-inspection-callback-url`` pointing at discoverd; otherwise the node is
set to boot from PXE and the PXE filter of discoverd's dnsmasq serves the ramdisk.

Ironic 39's image cache races with itself when several nodes fetch the same deploy
kernel or ramdisk for the first time: one fetch's clean-up lists the master
directory (under its lock) while another fetch removes its temporary directory
there (without it), and the clean-up's ``os.stat`` raises ``FileNotFoundError``. The
ramdisk preparation is idempotent, so it is done again (``PREPARE_ATTEMPTS``) instead
of failing the inspection.
"""

from __future__ import annotations

import logging
from typing import Any

import tenacity
from ironic.common import boot_devices, states
from ironic.common import exception as ironic_exc
from ironic.conductor import periodics
from ironic.conductor import utils as cond_utils
from ironic.drivers import base
from ironic.drivers.modules.inspector import interface as inspector_common
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

from baremetal_common.node_log import node_log
from ironic_tripleo.conf import inspect as inspect_opts
from ironic_tripleo.exception import DiscoverdAPIError
from ironic_tripleo.inspect.discoverd_client import DiscoverdClient

LOG = logging.getLogger(__name__)

CONF = cfg.CONF
inspect_opts.register(CONF)

#: driver_internal_info key Ironic's inspector helpers use for "Ironic boots the node".
MANAGES_BOOT = "inspector_manage_boot"
#: Attempts of the ramdisk preparation when Ironic's image cache raced (see above).
PREPARE_ATTEMPTS = 3


def prepare_managed_boot(task: Any, callback_url: str) -> None:
    """Ironic's managed-inspection boot preparation, again when its image cache raced.

    :raises: what the last attempt raised.
    """
    tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(FileNotFoundError),
        stop=tenacity.stop_after_attempt(PREPARE_ATTEMPTS),
        wait=tenacity.wait_fixed(0.2), reraise=True,
        before_sleep=lambda state: node_log(LOG, task.node.uuid).warning(
            "preparing the ramdisk raced with Ironic's image cache (%s); again",
            state.outcome.exception()),
    )(inspector_common.prepare_managed_inspection, task, callback_url)


def client_from_conf(conf: cfg.ConfigOpts = CONF) -> DiscoverdClient:
    """A client for ``[tripleo_discoverd]url`` with the group's keystoneauth1
    credentials (none when ``auth_type`` is unset)."""
    group = conf[inspect_opts.GROUP]
    auth = ks_loading.load_auth_from_conf_options(conf, inspect_opts.GROUP)
    session = ks_loading.load_session_from_conf_options(conf, inspect_opts.GROUP, auth=auth)
    return DiscoverdClient(group.url, timeout=group.request_timeout, session=session)


def _status_check_period() -> int:
    return CONF[inspect_opts.GROUP].status_check_period


class DiscoverdInspect(base.InspectInterface):
    """In-band inspection by discoverd (ironic-inspector v1 API)."""

    def __init__(self) -> None:
        super().__init__()
        self.client = client_from_conf()

    def get_properties(self) -> dict[str, str]:
        """No node properties: everything is in ``[tripleo_discoverd]``."""
        return {}

    def validate(self, task: Any) -> None:
        """With ``require_managed_boot``, check that Ironic can boot the ramdisk.

        :raises: UnsupportedDriverExtension, MissingParameterValue
        """
        if CONF[inspect_opts.GROUP].require_managed_boot:
            inspector_common.ironic_manages_boot(task, raise_exc=True)

    def inspect_hardware(self, task: Any) -> str:
        """Start introspection in discoverd and boot the node into the ramdisk.

        :param task: a TaskManager with an exclusive lock on the node.
        :returns: ``states.INSPECTWAIT``.
        :raises: HardwareInspectionFailure when discoverd refuses or the boot fails.
        """
        node = task.node
        manage_boot = inspector_common.ironic_manages_boot(
            task, raise_exc=CONF[inspect_opts.GROUP].require_managed_boot)
        node.set_driver_internal_info(MANAGES_BOOT, manage_boot)
        node.save()
        try:
            self.client.start(node.uuid, manage_boot=False)
        except DiscoverdAPIError as exc:
            inspector_common.inspection_error_handler(
                task, f"unable to start introspection in discoverd: {exc}",
                raise_exc=True, clean_up=False)
        node_log(LOG, node.uuid).info(
            "introspection started in discoverd %s; boot managed by %s", self.client.url,
            "Ironic" if manage_boot else "PXE filter")
        try:
            if manage_boot:
                prepare_managed_boot(task, self.client.callback_url)
            else:
                if not node.disable_power_off:
                    cond_utils.node_power_action(task, states.POWER_OFF)
                cond_utils.node_set_boot_device(task, boot_devices.PXE, persistent=False)
            cond_utils.node_power_action(
                task, states.REBOOT if node.disable_power_off else states.POWER_ON)
        except Exception as exc:
            node_log(LOG, node.uuid).exception("unable to boot it for inspection")
            self._abort_in_discoverd(node.uuid)
            inspector_common.inspection_error_handler(
                task, f"unable to boot the node for inspection: {exc}", raise_exc=True)
        return states.INSPECTWAIT

    def abort(self, task: Any) -> None:
        """Abort the introspection in discoverd, tear down the boot, power off.

        :raises: HardwareInspectionFailure when discoverd could not be told (after
            the node is powered off): the introspection may still go on there.
        """
        failure = self._abort_in_discoverd(task.node.uuid)
        inspector_common.clean_up(task, finish=False, always_power_off=True)
        if failure is not None:
            raise ironic_exc.HardwareInspectionFailure(error=failure)

    def _abort_in_discoverd(self, uuid: str) -> str | None:
        """Abort in discoverd; return the error text when it could not be done."""
        try:
            self.client.abort(uuid)
        except DiscoverdAPIError as exc:
            if exc.status in (404, 409):  # never started, or over already
                node_log(LOG, uuid).info("nothing to abort in discoverd: %s", exc)
                return None
            return str(exc)
        node_log(LOG, uuid).info("introspection aborted in discoverd")
        return None

    @periodics.node_periodic(
        purpose="checking discoverd introspection status",
        spacing=_status_check_period,
        filters={"provision_state": states.INSPECTWAIT, "reserved": False,
                 "maintenance": False},
    )
    def _check_status(self, task: Any, manager: Any, context: Any) -> None:
        """Finish the inspection of one node in ``inspect wait`` if discoverd has."""
        finish_inspection(task, self.client)


def finish_inspection(task: Any, client: DiscoverdClient) -> None:
    """Move ``task.node`` out of ``inspect wait`` when discoverd is done with it.

    A discoverd that does not answer is retried at the next period; one that does
    not know the node fails the inspection.
    """
    uuid = task.node.uuid
    try:
        status = client.status(uuid)
    except DiscoverdAPIError as exc:
        if exc.status != 404:
            node_log(LOG, uuid).warning("cannot read introspection status: %s", exc)
            return
        status = None
    if status is not None and not status.is_finished:
        return
    task.upgrade_lock()  # reloads the node with what discoverd wrote
    if task.node.provision_state != states.INSPECTWAIT:
        return  # aborted or timed out meanwhile
    if status is None:
        error = f"discoverd at {client.url} has no introspection of this node"
    else:
        error = status.error
    if error:
        node_log(LOG, uuid).error("introspection failed: %s", error)
        problems = inspector_common.tear_down_managed_boot(task, always_power_off=True)
        if problems:
            error = f"{error}; also {', '.join(problems)}"
        inspector_common.inspection_error_handler(task, error, raise_exc=False,
                                                  clean_up=False)
        return
    node_log(LOG, uuid).info("introspection finished in discoverd")
    inspector_common.clean_up(task, finish=True, always_power_off=True)
