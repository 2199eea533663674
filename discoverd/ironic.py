"""The few Ironic calls discoverd makes, through openstacksdk.

``IronicClient`` is a thin adapter: it turns openstacksdk resources into plain
dicts and its exceptions into ``NodeNotFound`` / ``IronicError``.

Two private names of openstacksdk are used on the hot path (``_rest``), which sends
requests without building resource objects (their attribute mapping costs more CPU
than the request) yet behaves as the proxy would: ``Resource._get_microversion``
(the microversion openstacksdk would negotiate) and ``baremetal.v1._common.
RETRIABLE_STATUS_CODES`` (its retries on 409 node locked / 503). No public API gives
either. ``tests/unit/discoverd/test_openstacksdk_internals.py`` fails, saying what,
if openstacksdk changes them.
"""

import ipaddress
import logging
import re
import socket
import urllib.parse
import uuid as uuidlib
from typing import Any

import keystoneauth1.exceptions
import openstack.exceptions
import tenacity
from openstack.baremetal.v1 import _common as sdk_common
from openstack.baremetal.v1.node import Node as SdkNode
from openstack.baremetal.v1.port import Port as SdkPort

from baremetal_common.cloud import API_TIMEOUT, connect
from discoverd import exception
from discoverd.node_info import parse_capabilities

LOG = logging.getLogger(__name__)

#: Attempts of a read whose connection failed before any answer: an API server
#: closing an idle keep-alive connection as the client reuses it ("Remote end closed
#: connection without response") is a race of HTTP itself, not a failure of Ironic.
READ_ATTEMPTS = 3

#: Provision states in which a node may be introspected.
VALID_STATES = frozenset({"enroll", "manageable", "inspecting", "inspect wait",
                          "inspect failed"})
#: Inspect interface of nodes whose introspection goes through Ironic's inspect flow.
INSPECT_INTERFACE = "discoverd"
#: Provision states from which Ironic accepts ``{"target": "inspect"}``.
INSPECT_FROM_STATES = frozenset({"manageable", "inspect failed"})


#: Ironic's logical node names: RFC 3986 unreserved characters, at most 255.
_NODE_NAME = re.compile(r"[A-Za-z0-9._~-]{1,255}")


def check_ident(ident: str) -> None:
    """Refuse a node ident Ironic would refuse: neither a UUID nor a logical name.

    :raises InvalidInput: naming the ident and what is allowed.
    """
    try:
        uuidlib.UUID(ident)
        return
    except ValueError:
        pass
    if not _NODE_NAME.fullmatch(ident):
        raise exception.InvalidInput(
            reason=f"node {ident[:80]!r} is neither a UUID nor a node name (1-255 "
                   f"letters, digits, '.', '_', '~' or '-')")


def bmc_addresses(driver_info: dict[str, Any]) -> list[str]:
    """Return the IP addresses of a node's BMC found in its ``driver_info``.

    Any ``*_address`` field counts (``ipmi_address``, ``redfish_address`` URL...);
    host names are resolved.
    """
    found = []
    for key, value in sorted(driver_info.items()):
        if not key.endswith("_address") or not isinstance(value, str) or not value:
            continue
        host = urllib.parse.urlsplit(value).hostname if "://" in value else value
        if not host:
            continue
        try:
            found.append(str(ipaddress.ip_address(host)))
        except ValueError:
            try:
                found.append(socket.gethostbyname(host))
            except OSError:
                LOG.warning("BMC address %s (%s) does not resolve; not used for lookup",
                            host, key)
    return found


class IronicClient:
    """Ironic through one openstacksdk connection (safe to share between threads).

    :param conn: an ``openstack.connection.Connection``.
    """

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self._microversions: dict[str, str | None] = {}

    def _microversion(self, resource: Any) -> str | None:
        """The microversion openstacksdk would use for ``resource`` (computed once)."""
        name = resource.__name__
        if name not in self._microversions:
            self._microversions[name] = resource._get_microversion(self.bm)
        return self._microversions[name]

    def _rest(self, method: str, url: str, resource: Any, **kwargs: Any) -> Any:
        """One request on the proxy without building openstacksdk resources.

        The hot path (ports of a node, node and port patches) skips openstacksdk's
        resource objects, whose attribute mapping costs more CPU than the request;
        the microversion, the retries on 409 (node locked) / 503 and the error
        mapping (``raise_from_response``) are openstacksdk's own.
        """
        response = self.bm.request(url, method, microversion=self._microversion(resource),
                                   retriable_status_codes=sdk_common.RETRIABLE_STATUS_CODES,
                                   **kwargs)
        openstack.exceptions.raise_from_response(response)
        return response

    @property
    def bm(self) -> Any:
        """The baremetal proxy; created on first use (it contacts Ironic)."""
        return self.conn.baremetal

    def _call(self, call: str, node: str, func, *args, read: bool = False, **kwargs):
        """Run ``func`` (a baremetal proxy method name, or a callable); map errors.

        A ``read`` (nothing changes in Ironic) whose connection failed before any
        answer is sent again, up to ``READ_ATTEMPTS`` times; a write is not, since
        Ironic may have applied it.
        """
        try:
            if isinstance(func, str):
                func = getattr(self.bm, func)
            if not read:
                return func(*args, **kwargs)
            return tenacity.Retrying(
                retry=tenacity.retry_if_exception_type(
                    keystoneauth1.exceptions.ConnectFailure),
                stop=tenacity.stop_after_attempt(READ_ATTEMPTS),
                wait=tenacity.wait_fixed(0.1), reraise=True,
                before_sleep=lambda state: LOG.warning(
                    "Ironic call %s for %s: %s; sending it again", call, node,
                    state.outcome.exception()))(func, *args, **kwargs)
        except openstack.exceptions.NotFoundException:
            raise exception.NodeNotFound(ident=node) from None
        except (openstack.exceptions.SDKException,
                keystoneauth1.exceptions.ClientException) as exc:
            raise exception.IronicError(call=call, node=node, reason=exc) from None

    def get_node(self, ident: str) -> dict[str, Any]:
        """Return the node (by UUID or name) as a dict.

        :raises InvalidInput: when ``ident`` is no UUID or node name (or Ironic says so).
        :raises NodeNotFound: when Ironic does not know it.
        """
        check_ident(ident)
        node = self._call("get_node", ident, self._get_node, ident, read=True)
        return node.to_dict(computed=False)

    def _get_node(self, ident: str) -> Any:
        try:
            return self.bm.get_node(ident)
        except openstack.exceptions.BadRequestException as exc:
            raise exception.InvalidInput(
                reason=f"Ironic refused node {ident[:80]!r}: {exc}") from None

    def list_ports(self, node: str) -> list[dict[str, Any]]:
        """Return the ports of ``node`` (``uuid``, ``address``, ``pxe_enabled``)."""
        return self._call("ports", node, self._list_ports, node, read=True)

    def _list_ports(self, node: str) -> list[dict[str, Any]]:
        # Only the three fields used: Ironic serialises less than /ports/detail.
        result: list[dict[str, Any]] = []
        url: str | None = "/ports"
        params: dict[str, str] | None = {"node_uuid": node,
                                         "fields": "uuid,address,pxe_enabled"}
        while url:
            body = self._rest("GET", url, SdkPort, params=params).json()
            result.extend({"uuid": p["uuid"], "address": p["address"].lower(),
                           "pxe_enabled": p.get("pxe_enabled")}
                          for p in body.get("ports") or [])
            url, params = body.get("next"), None  # "next" carries the query
        return result

    def find_port(self, address: str) -> dict[str, Any] | None:
        """Return the port with MAC ``address`` (``uuid``, ``address``, ``node_uuid``)."""
        body = self._call("ports", address, self._rest, "GET", "/ports", SdkPort,
                          params={"address": address,
                                  "fields": "uuid,address,node_uuid"}, read=True).json()
        ports = body.get("ports") or []
        return ({"uuid": ports[0]["uuid"], "address": ports[0]["address"].lower(),
                 "node_uuid": ports[0].get("node_uuid")} if ports else None)

    def list_all_macs(self) -> list[str]:
        """Return the MAC of every port in Ironic (for the PXE filter)."""
        ports = self._call("ports", "*",
                           lambda: list(self.bm.ports(fields=["address"])), read=True)
        return [p.address.lower() for p in ports if p.address]

    def node_profiles(self) -> dict[str, str]:
        """Return node UUID -> ``profile`` capability, for the nodes that have one."""
        nodes = self._call("nodes", "*",
                           lambda: list(self.bm.nodes(fields=["uuid", "properties"])),
                           read=True)
        result = {}
        for node in nodes:
            caps = (node.properties or {}).get("capabilities")
            profile = (parse_capabilities(caps) if isinstance(caps, str)
                       else dict(caps or {})).get("profile")
            if profile:
                result[node.id] = profile
        return result

    def set_boot_device(self, node: str, device: str) -> None:
        """Set the next boot device of ``node`` (``pxe``, ``disk``)."""
        self._call("set_node_boot_device", node, "set_node_boot_device", node, device)

    def set_power_state(self, node: str, target: str) -> None:
        """Ask Ironic for ``power on``, ``power off`` or ``rebooting`` (asynchronous)."""
        self._call("set_node_power_state", node, "set_node_power_state", node, target)

    def set_provision_state(self, node: str, target: str) -> None:
        """Ask Ironic for a provision state change (``inspect``...; asynchronous)."""
        self._call("set_node_provision_state", node, "set_node_provision_state", node,
                   target)

    def patch_node(self, node: str, patch: list[dict[str, Any]]) -> None:
        """Apply a JSON patch to ``node``."""
        if patch:
            self._call("patch_node", node, self._rest, "PATCH", f"/nodes/{node}", SdkNode,
                       json=patch)

    def create_node(self, driver: str, driver_info: dict[str, Any], **fields: Any
                    ) -> dict[str, Any]:
        """Create a node (auto-discovery) and return it as a dict."""
        node = self._call("create_node", "(new node)", "create_node", driver=driver,
                          driver_info=driver_info, **fields)
        return node.to_dict(computed=False)

    def delete_node(self, node: str) -> None:
        """Delete ``node`` (an auto-discovered node whose port was refused)."""
        self._call("delete_node", node, "delete_node", node, ignore_missing=True)

    def create_port(self, node: str, address: str, pxe_enabled: bool) -> None:
        """Create a port of ``node`` with MAC ``address``."""
        self._call("create_port", node, "create_port", node_uuid=node,
                   address=address, is_pxe_enabled=pxe_enabled)

    def delete_port(self, node: str, port: str) -> None:
        """Delete port ``port`` of ``node``."""
        self._call("delete_port", node, "delete_port", port, ignore_missing=True)

    def patch_port(self, node: str, port: str, patch: list[dict[str, Any]]) -> None:
        """Apply a JSON patch to port ``port`` of ``node``."""
        self._call("patch_port", node, self._rest, "PATCH", f"/ports/{port}", SdkPort,
                   json=patch)

    def add_trait(self, node: str, trait: str) -> None:
        """Add ``trait`` to ``node``."""
        self._call("add_node_trait", node, "add_node_trait", node, trait)

    def remove_trait(self, node: str, trait: str) -> None:
        """Remove ``trait`` from ``node`` (missing traits are ignored)."""
        self._call("remove_node_trait", node, "remove_node_trait", node, trait,
                   ignore_missing=True)


def from_conf(url: str | None, cloud: str | None,
              timeout: float = API_TIMEOUT) -> IronicClient:
    """Build the client from ``[ironic] url`` (noauth) or ``[ironic] cloud``, each
    request bounded by ``timeout`` seconds (``[ironic] timeout``)."""
    return IronicClient(connect(url, cloud=cloud, timeout=timeout))
