"""What the pyghmi interfaces share inside the Ironic conductor.

- the process-wide :class:`SessionPool`, built from ``[tripleo_ipmi]``;
- the BMC of a task's node, with driver_info errors as Ironic's exceptions;
- translation of our IPMI errors into Ironic's, so the conductor reports them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from ironic.common import exception as ironic_exc
from oslo_config import cfg

from ironic_tripleo.conf import ipmi as ipmi_opts
from ironic_tripleo.exception import InvalidDriverInfo, IPMIError
from ironic_tripleo.ipmi import driver_info
from ironic_tripleo.ipmi.session_pool import SessionPool
from ironic_tripleo.ironic_task import node_label, parse_driver_info
from ironic_tripleo.process_wide import ProcessWide

CONF = cfg.CONF
ipmi_opts.register(CONF)

_POOL: ProcessWide[SessionPool] = ProcessWide(lambda: pool_from_conf())


def pool_from_conf(conf: cfg.ConfigOpts = CONF) -> SessionPool:
    """Build a new pool with the settings of ``conf``'s ``[tripleo_ipmi]``."""
    group = conf[ipmi_opts.GROUP]
    return SessionPool(command_timeout=group.command_timeout,
                       command_retries=group.command_retries,
                       retry_backoff=group.retry_backoff,
                       min_command_interval=group.min_command_interval,
                       session_max_idle=group.session_max_idle,
                       keepalive_interval=group.keepalive_interval,
                       max_kept_alive=group.max_kept_alive_sessions,
                       unused_logout=group.unused_session_logout)


def default_pool() -> SessionPool:
    """Return the process-wide pool, building it from CONF on first use."""
    return _POOL.get()


def set_default_pool(pool: SessionPool | None) -> SessionPool | None:
    """Replace the process-wide pool (None: rebuild from CONF on next use).

    :returns: the previous pool, which the caller may ``close()``.
    """
    return _POOL.replace(pool)


def bmc_of(task: Any) -> driver_info.BMC:
    """Parse the driver_info of the task's node.

    :raises: Ironic's MissingParameterValue when fields are only missing,
        InvalidParameterValue when some are malformed (naming all of them).
    """
    return parse_driver_info(task, driver_info.parse, InvalidDriverInfo)


@contextlib.contextmanager
def ironic_errors(task: Any,
                  raise_as: type[ironic_exc.IronicException] = ironic_exc.IPMIFailure,
                  **kwargs: Any) -> Iterator[None]:
    """Re-raise our IPMI errors as ``raise_as`` (an Ironic exception) naming the node.

    :param raise_as: the Ironic exception class to raise.
    :param kwargs: extra keyword arguments for ``raise_as`` (e.g. ``node`` for
        FailedToGetSensorData).
    """
    try:
        yield
    except IPMIError as e:
        raise raise_as(message=f"Node {node_label(task)}: {e}", **kwargs) from e
