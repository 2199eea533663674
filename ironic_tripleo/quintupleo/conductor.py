"""What the Nova interfaces share inside the Ironic conductor.

- the process-wide :class:`CloudRegistry` (one connection per cloud), built from
  ``[tripleo_nova]``;
- the :class:`NovaServer` of a task's node, with driver_info errors as Ironic's;
- translation of our errors into Ironic's, naming the node.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from ironic.common import exception as ironic_exc
from oslo_config import cfg

from ironic_tripleo.conf import quintupleo as nova_opts
from ironic_tripleo.ironic_task import node_label, parse_driver_info
from ironic_tripleo.process_wide import ProcessWide
from ironic_tripleo.quintupleo import driver_info
from ironic_tripleo.quintupleo.clouds import CloudRegistry, CloudSettings
from ironic_tripleo.quintupleo.exception import InvalidNovaInfo, QuintupleOError
from ironic_tripleo.quintupleo.server import NovaServer, ServerSettings

CONF = cfg.CONF
nova_opts.register(CONF)

_REGISTRY: ProcessWide[CloudRegistry] = ProcessWide(
    lambda: CloudRegistry(settings_from_conf()[0]))


def settings_from_conf(conf: cfg.ConfigOpts = CONF) -> tuple[CloudSettings, ServerSettings]:
    """The cloud and server settings of ``conf``'s ``[tripleo_nova]``."""
    group = conf[nova_opts.GROUP]
    return (CloudSettings(api_timeout=group.api_timeout,
                          max_concurrent_calls=group.max_concurrent_calls,
                          status_cache_ttl=group.status_cache_ttl,
                          clouds_file=group.clouds_file),
            ServerSettings(state_timeout=group.state_timeout,
                           poll_interval=group.poll_interval,
                           boot_method=group.boot_method,
                           rescue_image=group.rescue_image))


def default_registry() -> CloudRegistry:
    """The process-wide registry, built from CONF on first use."""
    return _REGISTRY.get()


def set_default_registry(registry: CloudRegistry | None) -> CloudRegistry | None:
    """Replace the process-wide registry (None: rebuild from CONF on next use).

    :returns: the previous registry.
    """
    return _REGISTRY.replace(registry)


def target_of(task: Any) -> driver_info.NovaTarget:
    """Parse the task's node driver_info.

    :raises: Ironic's MissingParameterValue when fields are only missing,
        InvalidParameterValue when some are malformed (naming all of them).
    """
    return parse_driver_info(task, driver_info.parse, InvalidNovaInfo)


def server_of(task: Any) -> NovaServer:
    """The :class:`NovaServer` of the task's node, on the shared connection."""
    target = target_of(task)
    return NovaServer(default_registry().get(target.cloud), target.server,
                      settings_from_conf()[1])


@contextlib.contextmanager
def ironic_errors(task: Any,
                  raise_as: type[ironic_exc.IronicException] = ironic_exc.PowerStateFailure
                  ) -> Iterator[None]:
    """Re-raise our errors as ``raise_as`` (an Ironic exception) naming the node."""
    try:
        yield
    except QuintupleOError as e:
        raise raise_as(message=f"Node {node_label(task)}: {e}") from e
