"""The ramdisk callback: lookup, hooks, rules, write to Ironic, finish.

Only the process that wins the ``waiting -> processing`` compare-and-swap goes on,
so one ramdisk post is processed once even with several discoverd processes; it
holds a lease on the record while it works (``discoverd.leases``), and a record
whose owner died is taken over and processed again (``resume``).
"""

import concurrent.futures
import copy
import logging
from typing import Any

from baremetal_common.node_log import node_log
from discoverd import (
    discovery,
    exception,
    leases,
    lookup,
    records,
    schemas,
    writeback,
)
from discoverd.node_control import power_off
from discoverd.node_info import NodeInfo
from discoverd.rules import store as rules_store
from discoverd.rules.engine import apply_rules
from discoverd.service import Service
from discoverd.state import Event

LOG = logging.getLogger(__name__)


def find_node(service: Service, payload: dict[str, Any]) -> str:
    """Return the UUID of the node under introspection that sent ``payload``.

    :raises LookupFailed, AmbiguousLookup, Conflict:
    """
    keys = lookup.lookup_keys(payload)
    if not keys:
        raise exception.LookupFailed(
            what="this ramdisk", reason="it reported no BMC address and no valid MAC")
    return lookup.choose(keys, records.find_by_attributes(service.db, keys))


def process(service: Service, payload: Any) -> dict[str, Any]:
    """Handle one ``POST /v1/continue``; return the response body.

    Invalid or unmatched payloads raise before anything is stored. The payload is
    committed together with the move to ``processing`` before any hook runs, so a
    crash loses nothing (``resume``). A failure after that ends the introspection in
    error and is raised again (a hook's failure as ``HookFailed``, Ironic's as
    ``IronicError``).

    :raises LeaseHeld: while another live process is processing other data of the
        node (the same data posted again is accepted).
    """
    schemas.validate_continue(payload)
    try:
        uuid = find_node(service, payload)
    except exception.LookupFailed:
        if service.discovery is None:
            raise
        uuid = service.discovery.enroll(service.ironic, service.db, payload)
        payload = {**payload, discovery.AUTO_DISCOVERED: True}
    try:
        record = leases.claim(service.db, uuid, Event.process, service.owner,
                              service.lease_time, payload=payload)
    except exception.LeaseHeld:
        # The ramdisk posting again what is stored and being processed (its first
        # answer was lost in a crash): accepted, it is processed once.
        if leases.stored_payload(service.db, uuid) != payload:
            raise
        node_log(LOG, uuid).info("ramdisk data posted again while being processed")
        return {"uuid": uuid}
    node_log(LOG, uuid).info("processing ramdisk data")
    _process_claimed(service, uuid, payload, record.manage_boot)
    return {"uuid": uuid}


def reapply(service: Service, uuid: str) -> None:
    """Re-run hooks and rules on the stored raw data of a finished introspection.

    The node is not booted nor powered off. Failures end the introspection in
    error and are raised again.

    :raises DataNotFound: when no raw data is stored for the node.
    :raises InvalidTransition: while the introspection is not over.
    """
    raw = records.get_data(service.db, uuid, processed=False)
    leases.claim(service.db, uuid, Event.reapply, service.owner, service.lease_time,
                 payload=raw, manage_boot=False)
    node_log(LOG, uuid).info("reapplying processing to the stored ramdisk data")
    _process_claimed(service, uuid, raw, manage_boot=False)


def resume(service: Service, uuid: str) -> bool:
    """Take over the processing of ``uuid`` left by a process that died; re-run it.

    Returns False when there is nothing to take over (the lease is alive, or the
    record moved on). Processing failures end the introspection in error.
    """
    try:
        record = leases.claim(service.db, uuid, Event.resume, service.owner,
                              service.lease_time)
    except (exception.LeaseHeld, exception.InvalidTransition,
            exception.IntrospectionNotFound, exception.ConcurrentUpdate):
        return False
    payload = leases.stored_payload(service.db, uuid)
    node_log(LOG, uuid).warning("resuming processing left by a discoverd process that stopped")
    if payload is None:
        _end_in_error(service, uuid, record.manage_boot,
                      f"Node {uuid}: discoverd stopped while processing and no ramdisk "
                      f"data of this introspection is stored; start it again")
        return True
    try:
        _process_claimed(service, uuid, payload, record.manage_boot)
    except Exception:  # noqa: BLE001, S110 - ended in error and logged by _process_claimed
        pass
    return True


def _end_in_error(service: Service, uuid: str, manage_boot: bool, error: str) -> None:
    # Whatever the text holds, it must be storable, or the record stays processing.
    error = error.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
    node_log(LOG, uuid).error("introspection failed: %s", error)
    records.transition(service.db, uuid, Event.error, error=error,
                              owner=service.owner)
    _forget_raw(service, uuid)
    service.introspection_ended(uuid)
    if service.power_off and manage_boot:
        power_off(service, uuid)


def _forget_raw(service: Service, uuid: str) -> None:
    """Without ``store_data`` the raw data is kept only while it is processed."""
    if not service.store_data:
        records.delete_data(service.db, uuid)


def _process_claimed(service: Service, uuid: str, payload: dict[str, Any],
                     manage_boot: bool) -> None:
    """Run the pipeline for a node this process holds the lease of; end it."""
    try:
        data = run_pipeline(service, uuid, copy.deepcopy(payload), manage_boot)
    except Exception as exc:
        error = (str(exc) if isinstance(exc, exception.DiscoverdError)
                 else f"Node {uuid}: unexpected error while processing: {exc!r}")
        _end_in_error(service, uuid, manage_boot, error)
        raise
    if service.store_data:
        records.store_data(service.db, uuid, data, processed=True)
    records.transition(service.db, uuid, Event.finish, owner=service.owner)
    _forget_raw(service, uuid)
    service.introspection_ended(uuid)
    node_log(LOG, uuid).info("introspection finished")


def _hook_failed(uuid: str, name: str, exc: Exception) -> exception.HookFailed:
    reason = str(exc) if not isinstance(exc, KeyError | TypeError) else repr(exc)
    return exception.HookFailed(node=uuid, hook=name, reason=reason)


def read_node(ironic: Any, uuid: str) -> NodeInfo:
    """Read the node and its ports from Ironic at once (two requests in flight).

    Each payload waits on these two reads; sent together, it waits for the slower
    one instead of their sum. An error of the node read wins (it names the node).

    :raises NodeNotFound, InvalidInput, IronicError:
    """
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="ports") as pool:
        ports = pool.submit(ironic.list_ports, uuid)
        node = ironic.get_node(uuid)  # raising: leaving the pool waits for the ports read
        return NodeInfo.from_ironic(node, ports.result())


def run_pipeline(service: Service, uuid: str, data: dict[str, Any], manage_boot: bool
                 ) -> dict[str, Any]:
    """Run hooks and rules on ``data``, write the result to Ironic; return the data."""
    data.pop("logs", None)
    for name, hook in service.hooks.hooks:
        try:
            hook.before_processing(data)
        except Exception as exc:
            raise _hook_failed(uuid, name, exc) from exc
    node_info = read_node(service.ironic, uuid)
    for name, hook in service.hooks.hooks:
        try:
            hook.before_update(data, node_info, ironic=service.ironic)
        except Exception as exc:
            raise _hook_failed(uuid, name, exc) from exc
    data["rules_applied"] = apply_rules(rules_store.list_all(service.db), node_info, data)
    writeback.write(service.ironic, node_info)
    if service.power_off and manage_boot:
        failure = power_off(service, uuid)
        if failure:
            raise exception.ProcessingError(node=uuid, reason=f"power off failed: {failure}")
    return data
