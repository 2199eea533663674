"""Move nodes through one provision action and wait: the one "manage and wait".

``move`` asks Ironic for ``target`` (``manage``, ``provide``) on each node, then
waits with openstacksdk's ``wait_for_nodes_provision_state`` (abort on a failed
state, no raise) until every node has reached the state the action leads to, has
failed, or the timeout has passed. It returns what went wrong per node, so that
callers decide whether that is fatal (``enroll``) or one node's error (``provide``).

The introspection scheduler (``nodes/introspection.py``) does not use it: it
advances many nodes in one poll loop, at most ``concurrency`` at once, and cannot
block on one batch.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import openstack.exceptions

from baremetal_common.node_log import node_log

LOG = logging.getLogger(__name__)

#: The provision state each action we send leads to.
REACHES = {"manage": "manageable", "provide": "available"}


def move(bm: Any, nodes: Iterable[str], target: str, timeout: float) -> dict[str, str]:
    """Ask ``target`` for ``nodes`` (UUIDs) and wait for its end state.

    :param bm: an openstacksdk ``baremetal`` proxy.
    :param target: ``manage`` or ``provide``.
    :param timeout: seconds to wait for all the nodes together.
    :returns: UUID -> error, for each node whose request was refused, that failed
        (Ironic's ``last_error``) or that had not arrived at the timeout; empty when
        all arrived.
    """
    expected = REACHES[target]
    errors: dict[str, str] = {}
    moving = []
    for node in nodes:
        try:
            bm.set_node_provision_state(node, target)
        except openstack.exceptions.SDKException as exc:
            errors[node] = f"'{target}' refused: {exc}"
            continue
        node_log(LOG, node).info("'%s' requested", target)
        moving.append(node)
    if not moving:
        return errors
    waited = bm.wait_for_nodes_provision_state(moving, expected, timeout=timeout,
                                               abort_on_failed_state=True, fail=False)
    for failed in waited.failure:
        errors[failed.id] = failed.last_error or f"'{target}' ended in {failed.provision_state}"
    for late in waited.timeout:
        errors[late.id] = f"not {expected} after {timeout:g}s"
    return errors
