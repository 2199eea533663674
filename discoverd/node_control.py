"""Starting and aborting a node's introspection (the operator's side): check the node in
Ironic, create its record, manage its boot (power, boot device)."""

import datetime
import logging
import uuid as uuidlib

from baremetal_common.node_log import node_log
from discoverd import exception, leases, records
from discoverd.db.models import utcnow
from discoverd.ironic import INSPECT_FROM_STATES, INSPECT_INTERFACE, VALID_STATES, bmc_addresses
from discoverd.service import Service
from discoverd.state import ABORTED, Event, State

LOG = logging.getLogger(__name__)


def is_uuid(ident: str) -> bool:
    """Whether ``ident`` is a UUID (else it is a node name)."""
    try:
        uuidlib.UUID(ident)
    except ValueError:
        return False
    return True


def resolve(service: Service, ident: str) -> str:
    """Return the UUID of node ``ident`` (a UUID, or a name resolved through Ironic)."""
    return str(uuidlib.UUID(ident)) if is_uuid(ident) else service.ironic.get_node(ident)["id"]


def _check_node(node: dict) -> None:
    """Refuse nodes in a state or mode that does not allow introspection.

    :raises InvalidInput:
    """
    uuid, state = node["id"], node.get("provision_state")
    if state not in VALID_STATES:
        raise exception.InvalidInput(
            reason=f"node {uuid} is in provision state '{state}'; introspection needs one "
                   f"of {', '.join(sorted(VALID_STATES))} (baremetal node manage {uuid})")
    if node.get("is_maintenance") or node.get("maintenance"):
        raise exception.InvalidInput(
            reason=f"node {uuid} is in maintenance; take it out of maintenance first")


def uses_ironic_flow(node: dict, manage_boot: bool) -> bool:
    """Whether starting ``node`` goes through Ironic's inspect flow.

    True for a client-started introspection (``manage_boot``) of a node whose inspect
    interface is discoverd's: Ironic then writes the PXE config, boots the node and
    calls back ``POST /v1/introspection/<uuid>?manage_boot=false`` (joined).

    :raises Conflict: when Ironic's inspect flow cannot start from the node's state.
    """
    if not manage_boot or node.get("inspect_interface") != INSPECT_INTERFACE:
        return False
    state = node.get("provision_state")
    if state not in INSPECT_FROM_STATES:
        raise exception.Conflict(
            reason=f"node {node['id']} is in provision state '{state}'; its inspect "
                   f"interface '{INSPECT_INTERFACE}' is started through Ironic's inspect "
                   f"flow, which needs one of {', '.join(sorted(INSPECT_FROM_STATES))} "
                   f"(baremetal node manage {node['id']})")
    return True


def start(service: Service, ident: str, manage_boot: bool = True) -> str:
    """Start introspection of node ``ident``; return its UUID.

    The node must exist in Ironic, be in a state that allows inspection and not be
    in maintenance. Its BMC address and port MACs are recorded for the ramdisk's
    lookup. With ``manage_boot``, a node whose inspect interface is discoverd's is
    put into Ironic's inspect flow; any other node is set to boot from PXE and
    rebooted through Ironic. Without ``manage_boot``, an introspection already
    starting or waiting is kept (Ironic's inspect interface calling back); one that
    discoverd handed to Ironic's inspect flow and that ended (an operator's abort)
    before that call is refused, so the abort holds.
    Boot failures end the introspection in error (visible in its status).

    :raises NodeNotFound, InvalidInput, Conflict, InvalidTransition, ConcurrentUpdate,
        IntrospectionEnded:
    """
    node = service.ironic.get_node(ident)
    uuid = node["id"]
    _check_node(node)
    pending_since = utcnow() - datetime.timedelta(seconds=service.timeout)
    if not manage_boot and records.join(service.db, uuid, pending_since) is not None:
        node_log(LOG, uuid).info("introspection already running; kept (boot now managed by "
                                 "the caller)")
        return uuid
    ironic_flow = uses_ironic_flow(node, manage_boot)
    ports = service.ironic.list_ports(uuid)
    attributes = {"bmc_address": bmc_addresses(node.get("driver_info") or {}),
                  "mac": [p["address"] for p in ports]}
    if not attributes["mac"] and not attributes["bmc_address"]:
        node_log(LOG, uuid).warning("has no ports and no BMC address: the ramdisk will not find "
                                    "it")
    records.start(service.db, uuid, manage_boot and not ironic_flow, attributes,
                  awaiting_join=ironic_flow, owner=service.owner)
    if service.pxe_filter is not None:  # let the node's MACs through before it boots
        service.pxe_filter.sync(service.db, service.ironic)
    node_log(LOG, uuid).info(
        "introspection starting (BMC %s, MACs %s, manage_boot=%s, Ironic inspect flow=%s)",
        attributes["bmc_address"], attributes["mac"], manage_boot, ironic_flow)
    try:
        if ironic_flow:
            service.ironic.set_provision_state(uuid, "inspect")
        elif manage_boot:
            service.ironic.set_boot_device(uuid, "pxe")
            target = "rebooting" if node.get("power_state") == "power on" else "power on"
            service.ironic.set_power_state(uuid, target)
    except exception.DiscoverdError as exc:
        records.transition(service.db, uuid, Event.error, no_join=True,
                                  error=f"Failed to boot the node for introspection: {exc}")
        service.introspection_ended(uuid)
        return uuid
    records.transition(service.db, uuid, Event.wait)
    return uuid


def power_off(service: Service, uuid: str) -> str | None:
    """Power the node off through Ironic; return the error text instead of raising."""
    try:
        service.ironic.set_power_state(uuid, "power off")
    except exception.DiscoverdError as exc:
        node_log(LOG, uuid).warning("power off failed: %s", exc)
        return str(exc)
    return None


def abort(service: Service, uuid: str) -> None:
    """Abort a running introspection: power the node off, end in error.

    :raises IntrospectionNotFound, InvalidTransition, ConcurrentUpdate:
    """
    record = records.transition(service.db, uuid, Event.abort)
    leases.hold(service.db, uuid, State.aborting, service.owner)
    finish_abort(service, uuid, record.manage_boot)


def finish_abort(service: Service, uuid: str, manage_boot: bool) -> None:
    """Power the node off if discoverd manages its boot, and end the record in error.

    Also how a process that took over a dead process's abort completes it.
    """
    failure = power_off(service, uuid) if manage_boot else None
    error = ABORTED if failure is None else f"{ABORTED}; power off failed: {failure}"
    records.transition(service.db, uuid, Event.abort_end, error=error)
    service.introspection_ended(uuid)
    node_log(LOG, uuid).info("introspection aborted")


def end_stalled_start(service: Service, uuid: str, dead_owner: str) -> None:
    """End in error a start whose process died before the node was booted (or
    handed to Ironic): what it had asked of Ironic is unknown, so the operator
    starts again."""
    records.transition(
        service.db, uuid, Event.error, no_join=True,
        error=f"discoverd process {dead_owner} stopped while starting this "
              "introspection; start it again")
    service.introspection_ended(uuid)
    node_log(LOG, uuid).warning("start left by dead process %s ended in error", dead_owner)
