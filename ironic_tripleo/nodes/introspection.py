"""Introspect nodes through Ironic, a bounded number at a time, with retries.

Each node goes ``queued`` -> (``manage`` when in ``enroll``) -> ``inspect`` ->
done (``manageable`` again) or failed. At most ``concurrency`` nodes are managed or
inspected at once. A node that fails (``inspect failed``) or exceeds
``node_timeout`` (then aborted when Ironic allows it) is retried up to
``max_retries`` times, once Ironic has released it (``retry_timeout`` at most).
The scheduler is one poll loop over one node listing per tick.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

import openstack.exceptions

from baremetal_common.node_log import node_log

LOG = logging.getLogger(__name__)

#: States from which ``inspect`` may start (``enroll`` goes through ``manage``).
INSPECTABLE = frozenset({"manageable", "inspect failed"})
DONE, FAILED = "manageable", "inspect failed"
RUNNING = frozenset({"inspecting", "inspect wait"})


@dataclasses.dataclass
class Options:
    """How introspection is run (TripleO's option names and defaults)."""

    concurrency: int = 20
    node_timeout: float = 1200
    max_retries: int = 1
    retry_timeout: float = 120
    manage_timeout: float = 300
    poll_interval: float = 1.0


@dataclasses.dataclass
class Tracked:
    """One node being introspected."""

    uuid: str
    name: str
    state: str = "-"
    error: str | None = None
    properties: dict[str, Any] = dataclasses.field(default_factory=dict)
    attempts: int = 0
    #: queued, managing, inspecting, releasing (before a retry), done, failed
    phase: str = "queued"
    since: float = 0.0

    @property
    def finished(self) -> bool:
        return self.phase in ("done", "failed") or self.error is not None

    @property
    def failed(self) -> bool:
        return self.finished and self.phase != "done"


def select_nodes(bm: Any, idents: Iterable[str] = (), everything: bool = False,
                 all_manageable: bool = False) -> list[Tracked]:
    """The nodes to inspect: by name/UUID, every ``manageable`` one, or (``everything``)
    every one in enroll, manageable or inspect failed. Nodes in maintenance are
    skipped by the last two."""
    if all_manageable or everything:
        wanted = {DONE} if all_manageable else INSPECTABLE | {"enroll"}
        found = [n for n in bm.nodes(details=True)
                 if n.provision_state in wanted and not n.is_maintenance]
    else:
        found = [bm.get_node(ident) for ident in idents]
    return [Tracked(uuid=n.id, name=n.name or n.id, state=n.provision_state)
            for n in found]


def _provision(bm: Any, node: Tracked, target: str) -> bool:
    try:
        bm.set_node_provision_state(node.uuid, target)
        return True
    except openstack.exceptions.SDKException as exc:
        node.error = f"'{target}' refused: {exc}"
        return False


def _inspect(bm: Any, node: Tracked, now: float) -> None:
    if node.state not in INSPECTABLE:
        node.error = (f"provision state '{node.state}' does not allow inspection "
                      "(needs enroll, manageable or inspect failed)")
        return
    if _provision(bm, node, "inspect"):
        node.attempts += 1
        node.phase, node.since, node.state = "inspecting", now, "inspecting"
        node_log(LOG, node.name).info("inspection started (attempt %d)", node.attempts)


def begin(bm: Any, node: Tracked, now: float | None = None) -> None:
    """Start a queued node: manage it when in enroll, else inspect it."""
    now = time.monotonic() if now is None else now
    if node.state == "enroll":
        if _provision(bm, node, "manage"):
            node.phase, node.since = "managing", now
    else:
        _inspect(bm, node, now)


def _retry_or_fail(bm: Any, node: Tracked, reason: str, options: Options,
                   now: float) -> None:
    if node.attempts <= options.max_retries:
        node_log(LOG, node.name).warning("%s; retrying", reason)
        node.phase, node.since = "releasing", now
    else:
        node.phase, node.error = "failed", reason


def _step(bm: Any, node: Tracked, real: Any, options: Options, now: float) -> None:
    """Advance one node from what Ironic says about it now."""
    node.state = real.provision_state
    node.properties = dict(real.properties or {})
    if node.phase == "managing":
        if node.state == "manageable":
            _inspect(bm, node, now)
        elif node.state != "verifying":
            node.error = real.last_error or f"'manage' ended in {node.state}"
        elif now - node.since > options.manage_timeout:
            node.error = f"timed out after {options.manage_timeout:g}s waiting for 'manage'"
    elif node.phase == "inspecting":
        if node.state == DONE:
            node.phase = "done"
        elif node.state == FAILED:
            _retry_or_fail(bm, node, real.last_error or "inspection failed", options, now)
        elif now - node.since > options.node_timeout:
            if node.state == "inspect wait":
                _provision(bm, node, "abort")
                node.error = None
            _retry_or_fail(bm, node, f"timed out after {options.node_timeout:g}s in "
                                     f"'{node.state}'", options, now)
    elif node.phase == "releasing":
        if node.state in INSPECTABLE and not real.reservation:
            _inspect(bm, node, now)
        elif now - node.since > options.retry_timeout:
            node.phase = "failed"
            node.error = (f"not released by Ironic within {options.retry_timeout:g}s "
                          f"for a retry (state '{node.state}')")


def run(bm: Any, nodes: list[Tracked], options: Options | None = None,
        progress: Callable[[list[Tracked]], None] | None = None,
        deadline: float | None = None, until_started: bool = False,
        clock: Callable[[], float] = time.monotonic) -> None:
    """Introspect ``nodes`` until each is done or failed (``error`` set).

    Nodes already ``inspecting``/``inspect wait`` count as started. ``deadline``
    (on ``clock``) bounds the whole run: nodes unfinished then get an error. With
    ``until_started`` it returns once every node's inspection has started (the
    last ones still running) or ended. ``clock`` is for tests.
    """
    options = options or Options()
    now = clock()
    for node in nodes:
        if node.state in RUNNING and node.phase == "queued":
            node.phase, node.since, node.attempts = "inspecting", now, max(node.attempts, 1)
    while True:
        now = clock()
        active = [n for n in nodes if not n.finished and n.phase != "queued"]
        if active:
            current = {n.id: n for n in bm.nodes(details=True)}
            for node in active:
                real = current.get(node.uuid)
                if real is None:
                    node.phase, node.error = "failed", "node deleted from Ironic"
                else:
                    _step(bm, node, real, options, now)
        running = sum(1 for n in nodes if not n.finished and n.phase != "queued")
        for node in nodes:
            if running >= options.concurrency:
                break
            if node.phase == "queued" and not node.finished:
                begin(bm, node, now)
                running += not node.finished
        if progress is not None:
            progress(nodes)
        if all(n.finished for n in nodes):
            return
        if until_started and all(n.finished or n.phase == "inspecting" for n in nodes):
            return
        if deadline is not None and now > deadline:
            for node in nodes:
                if not node.finished:
                    node.error = f"timed out in '{node.state}'"
            return
        time.sleep(options.poll_interval)
