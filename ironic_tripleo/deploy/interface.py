"""The ``iscsi`` deploy interface: the conductor writes the image over iSCSI.

Built on Ironic's agent machinery (``agent.CustomAgentDeploy``): ``prepare`` boots
the deploy ramdisk through the boot interface, the ``deploy`` step reboots the node
into it and returns DEPLOYWAIT. The ramdisk (``ironic-tripleo-ramdisk deploy``) looks
the node up and heartbeats; the first heartbeat in DEPLOYWAIT resumes the deploy
steps (``process_next_step``), and then, in the conductor's deploy-step worker:

- ``write_image`` (90): ask the agent to export its root disk under a fresh IQN with
  CHAP credentials unique to this deploy, fetch and verify the image, write it with
  ``pipeline.deploy_image``; the target is always stopped (``finally``); record
  ``root_uuid_or_disk_id`` for the boot interface;
- ``prepare_instance_boot`` (60): boot device disk (persistent), boot interface
  ``prepare_instance``;
- ``tear_down_agent`` (40): the agent's ``power_off``, then power off out of band;
- ``switch_to_tenant_network`` (30), ``boot_instance`` (20): Ironic's own.

Our ramdisk has no in-band steps, so the IPA-specific parts (step caching, command
status polling, in-band cleaning) are replaced. A failure in any step moves the node
to ``deploy failed`` with a last_error naming the cause.

Why ``get_deploy_steps``, ``execute_deploy_step`` and ``get_clean_steps`` skip part
of the MRO (they call ``base.DeployInterface``'s versions): the agent classes'
versions merge in or run in-band steps they ask the ramdisk for, which ours does not
have; the class still derives from ``agent.CustomAgentDeploy`` for its heartbeat
handling and its out-of-band deploy steps. ``tests/unit/deploy/test_ironic_internals.py``
fails, saying what, if Ironic changes the hierarchy or what the base versions do.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ironic.common import boot_devices, exception, states
from ironic.common import image_service as ironic_image_service
from ironic.conductor import task_manager
from ironic.conductor import utils as manager_utils
from ironic.drivers import base
from ironic.drivers.modules import agent, boot_mode_utils, deploy_utils
from oslo_config import cfg

from ironic_tripleo import lab_seam
from ironic_tripleo.conf import deploy as deploy_opts
from ironic_tripleo.deploy import checksum, image_source, instance, pipeline, writer
from ironic_tripleo.deploy.agent_client import AgentClient
from ironic_tripleo.deploy.image_cache import ImageCache
from ironic_tripleo.deploy.target import Target
from ironic_tripleo.exception import DeployError, ImageSourceError, TripleOError

LOG = logging.getLogger(__name__)
CONF = cfg.CONF
deploy_opts.register(CONF)
MiB = 1024 * 1024


def _conf() -> Any:
    return CONF[deploy_opts.GROUP]


def _is_glance(href: str) -> bool:
    return urlparse(href).scheme.lower() in ("", "glance")


class ISCSIDeploy(agent.CustomAgentDeploy):
    """Deploy by writing the image into the ramdisk's disk, exported over iSCSI."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._slots: writer.WriteSlots | None = None
        self._cache: ImageCache | None = None

    # --- shared per conductor process -------------------------------------------

    def _resources(self) -> tuple[writer.WriteSlots, ImageCache]:
        """The write slots and the image cache, made once from ``[tripleo_deploy]``."""
        with self._lock:
            conf = _conf()
            if self._slots is None:
                self._slots = writer.WriteSlots(conf.max_concurrent_writes)
            if self._cache is None:
                self._cache = ImageCache(conf.image_cache_dir, conf.image_cache_size_mb * MiB)
            return self._slots, self._cache

    # --- validation ------------------------------------------------------------------

    def validate(self, task: task_manager.TaskManager) -> None:
        """Check the boot interface (deploy kernel/ramdisk), root device hints, image.

        :raises MissingParameterValue: no ``instance_info.image_source``.
        :raises InvalidParameterValue: no usable checksum for a non-Glance image, or
            bad partition sizes.
        """
        super().validate(task)
        node = task.node
        if not task.driver.storage.should_write_image(task):
            return
        info = node.instance_info
        href = info.get("image_source")
        if not href:
            raise exception.MissingParameterValue(
                f"Node {node.uuid}: instance_info.image_source is required by the iscsi "
                "deploy interface (file://, http(s):// or a Glance image)")
        try:
            if not _is_glance(href):
                checksum.from_instance_info(href, info, _conf().allow_md5_checksum)
            instance.layout(info, "bios", "gpt", False, node.uuid)
        except TripleOError as exc:
            raise exception.InvalidParameterValue(str(exc)) from exc

    # --- our ramdisk has no in-band steps ----------------------------------------------

    def refresh_steps(self, task: task_manager.TaskManager, step_type: str) -> None:
        """Nothing to cache: the deploy ramdisk runs no in-band steps."""

    def get_deploy_steps(self, task: task_manager.TaskManager) -> list[dict]:
        return base.DeployInterface.get_deploy_steps(self, task)

    def execute_deploy_step(self, task: task_manager.TaskManager, step: dict) -> Any:
        return base.DeployInterface.execute_deploy_step(self, task, step)

    def get_clean_steps(self, task: task_manager.TaskManager) -> list[dict]:
        """Out-of-band clean steps only (no in-band erase with this ramdisk)."""
        return base.DeployInterface.get_clean_steps(self, task)

    def prepare_cleaning(self, task: task_manager.TaskManager) -> None:
        """No ramdisk is booted for cleaning: there are no in-band clean steps."""

    def tear_down_cleaning(self, task: task_manager.TaskManager) -> None:
        """Nothing was booted for cleaning."""

    def process_next_step(self, task: task_manager.TaskManager, step_type: str,
                          **kwargs: Any) -> None:
        """On a heartbeat in DEPLOYWAIT: the ramdisk is up, resume the deploy steps."""
        if step_type != "deploy":
            LOG.debug("node %s: heartbeat during %s ignored", task.node.uuid, step_type)
            return
        LOG.info("node %s: deploy ramdisk is up at %s, resuming deploy", task.node.uuid,
                 task.node.driver_internal_info.get("agent_url"))
        manager_utils.notify_conductor_resume_deploy(task)

    # --- deploy steps ------------------------------------------------------------------

    @base.deploy_step(priority=90)
    @task_manager.require_exclusive_lock
    def write_image(self, task: task_manager.TaskManager) -> None:
        """Export the disk, write the image, always stop the export.

        :raises InstanceDeployFailure: naming the cause (agent, image, checksum,
            target, size, write).
        """
        if not task.driver.storage.should_write_image(task):
            return
        node = task.node
        try:
            self._write(task)
        except DeployError as exc:
            raise exception.InstanceDeployFailure(str(exc)) from exc
        LOG.info("node %s: image written", node.uuid)

    def _client(self, task: task_manager.TaskManager) -> AgentClient:
        dii = task.node.driver_internal_info
        url, token = dii.get("agent_url"), dii.get("agent_secret_token")
        if not url or not token:
            raise exception.InstanceDeployFailure(
                f"Node {task.node.uuid}: the deploy ramdisk has not heartbeated with a "
                "callback URL and an agent token")
        return AgentClient(url, token, task.node.uuid, _conf().agent_command_timeout,
                           netns=lab_seam.initiator_netns(_conf().initiator_netns))

    def _write(self, task: task_manager.TaskManager) -> None:
        node, conf = task.node, _conf()
        info = dict(node.instance_info)
        href = str(info["image_source"])
        glance = None
        if _is_glance(href):
            try:
                glance = ironic_image_service.get_image_service(href, context=task.context)
            except exception.IronicException as exc:
                raise ImageSourceError(image=href, reason=str(exc)) from exc
        source = image_source.source_for(href, glance, conf.http_timeout)
        if isinstance(source, image_source.GlanceSource):
            # checksum fields instance_info leaves empty come from Glance
            info.update({k: v for k, v in source.checksum_fields().items()
                         if v and not info.get(k)})
        expected = checksum.from_instance_info(href, info, conf.allow_md5_checksum)
        creds = instance.new_credentials(node.uuid)
        hints = node.instance_info.get("root_device") or node.properties.get("root_device")
        client = self._client(task)
        try:
            answer = client.start_iscsi_target(creds.iqn, creds.username, creds.password,
                                               conf.iscsi_portal_port, hints)
            host = str(answer.get("portal", "")).rsplit(":", 1)[0].strip("[]") or \
                urlparse(client.url).hostname
            LOG.info("node %s: agent exports %s (%s bytes) as %s", node.uuid,
                     answer.get("device"), answer.get("size_bytes"), creds.iqn)
            target = Target(host, conf.iscsi_portal_port, creds.iqn, creds.username,
                                   creds.password, int(answer.get("lun", 1)),
                                   netns=lab_seam.initiator_netns(conf.initiator_netns))
            self._deploy_image(task, info, source, expected, target)
        finally:
            try:
                client.stop_iscsi_target()
            except DeployError as exc:
                LOG.warning("node %s: stopping the iSCSI target failed: %s", node.uuid, exc)
            client.close()

    def _deploy_image(self, task: task_manager.TaskManager, info: dict[str, Any],
                      source: image_source.ImageSource, expected: checksum.Expected,
                      target: Target) -> None:
        node, conf = task.node, _conf()
        slots, cache = self._resources()
        options = pipeline.WriteOptions(
            mode=conf.writer, permitted_formats=conf.permitted_image_formats,
            target_timeout=conf.target_wait_timeout, write_timeout=conf.write_timeout,
            stall_timeout=conf.write_stall_timeout,
            slot_timeout=conf.write_slot_timeout,
            memory_limit_mb=conf.qemu_img_memory_limit_mb)
        kind = instance.image_type(info, node.driver_internal_info.get("is_whole_disk_image"))
        if kind == instance.WHOLE_DISK:
            written = pipeline.deploy_image(source, expected, target, cache, slots, options,
                                            node.uuid)
            self._record_root(task, written)
            return
        with tempfile.TemporaryDirectory(prefix="tripleo-cd-") as tmp:
            configdrive = None
            if info.get("configdrive"):
                configdrive = instance.write_configdrive(
                    str(info["configdrive"]), Path(tmp) / "configdrive", node.uuid,
                    conf.http_timeout)
            layout = instance.layout(info, boot_mode_utils.get_boot_mode(node),
                                     deploy_utils.get_disk_label(node),
                                     configdrive is not None, node.uuid)
            written = pipeline.deploy_image(source, expected, target, cache, slots, options,
                                            node.uuid, layout, configdrive)
        self._record_root(task, written)

    @staticmethod
    def _record_root(task: task_manager.TaskManager, written: pipeline.Written) -> None:
        """Keep ``root_uuid_or_disk_id`` where Ironic's boot interfaces look for it."""
        if written.root_uuid_or_disk_id:
            task.node.set_driver_internal_info("root_uuid_or_disk_id",
                                               written.root_uuid_or_disk_id)
            task.node.save()

    @base.deploy_step(priority=60)
    @task_manager.require_exclusive_lock
    def prepare_instance_boot(self, task: task_manager.TaskManager) -> None:
        """Boot from disk from now on (persistent), then the boot interface's part."""
        management = task.driver.management
        if boot_devices.DISK in management.get_supported_boot_devices(task):
            deploy_utils.try_set_boot_device(task, boot_devices.DISK, persistent=True)
        else:
            LOG.warning("node %s: management interface %s cannot set boot device disk",
                        task.node.uuid, task.node.management_interface)
        super().prepare_instance_boot(task)

    @base.deploy_step(priority=40)
    @task_manager.require_exclusive_lock
    def tear_down_agent(self, task: task_manager.TaskManager) -> None:
        """Power the ramdisk off (the agent's ``power_off``, then out of band)."""
        node = task.node
        if node.disable_power_off:
            return
        try:
            client = self._client(task)
            try:
                client.power_off()
            finally:
                client.close()
        except (DeployError, exception.IronicException) as exc:
            LOG.warning("node %s: agent power_off failed, powering off out of band: %s",
                        node.uuid, exc)
        manager_utils.node_power_action(task, states.POWER_OFF)
