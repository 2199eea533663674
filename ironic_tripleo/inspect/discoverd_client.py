"""Ironic's side of discoverd: openstacksdk's ``baremetal_introspection`` proxy.

The inspect interface starts, polls and aborts introspections through
openstacksdk's proxy for the ironic-inspector v1 API, which discoverd serves. The
proxy covers the calls themselves (``start_introspection`` with ``manage_boot``,
``get_introspection``, ``abort_introspection``); what it lacks, and this module
adds, is:

- **noauth.** openstacksdk needs an auth plugin to find the endpoint even with an
  endpoint override; when ``[tripleo_discoverd]auth_type`` is unset (discoverd's
  ``noauth``) the session gets keystoneauth1's ``none`` plugin. ``http_basic`` and
  ``keystone`` (``auth_type = password``) are keystoneauth1 plugins loaded from the
  group, as in Ironic's own service-client groups.
- **The API version header.** keystoneauth1 sends a microversion as
  ``OpenStack-API-Version: baremetal-introspection X.Y``, which ironic-inspector
  (and discoverd, as it) does not read: it reads
  ``X-OpenStack-Ironic-Inspector-API-Version``. The session sends that header with
  ``1.18`` (ironic-inspector's last) on every request, as the interface always did.
- **One request timeout.** ``[tripleo_discoverd]request_timeout`` becomes the
  session's timeout (the proxy has no per-call timeout). No retries are added: a
  failed status poll is retried at the next period by the caller.
- **Our error shape.** The proxy raises ``openstack.exceptions.HttpException``
  for an answer with an error and keystoneauth1 exceptions when discoverd cannot be
  reached (including its version discovery, ``GET /``, on the first call); both
  become ``DiscoverdAPIError`` with the HTTP status (``None``: no answer) and
  discoverd's own message, naming the URL and the node.
- **An abort without retries.** The proxy's ``abort_introspection`` retries an
  answer of 409 five times with growing pauses (for Ironic, 409 is a node locked for a
  moment; for discoverd it is an introspection that is not running, and stays so):
  about 15 s during which the conductor holds the node. ``abort`` posts the same
  request through the proxy with no status retried.
- **The callback URL** the ramdisk posts to (``/v1/continue``): no SDK call.

The status the caller reads is the SDK's ``Introspection`` resource
(``is_finished``, ``state``, ``error``). ``start_introspection`` reads the new
record back (``POST`` then ``GET``): a failure of that ``GET`` fails the start
although discoverd has recorded it; the node's next start replaces the record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import openstack.connection
import openstack.exceptions
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import noauth
from keystoneauth1 import session as ks_session
from openstack.baremetal_introspection.v1.introspection import Introspection

from ironic_tripleo.exception import DiscoverdAPIError, DiscoverdRefused

LOG = logging.getLogger(__name__)

#: ironic-inspector's last API version, which discoverd implements.
API_VERSION = "1.18"
VERSION_HEADER = "X-OpenStack-Ironic-Inspector-API-Version"

T = TypeVar("T")


class DiscoverdClient:
    """discoverd's API at ``url`` through openstacksdk's ``baremetal_introspection``.

    :param url: base URL, e.g. ``http://127.0.0.1:5050`` (no ``/v1``).
    :param timeout: seconds for one request.
    :param session: a keystoneauth1 session whose auth plugin (if any) supplies the
        credentials; one without auth (``noauth``) when ``None``. Its timeout is
        replaced by ``timeout``.
    """

    def __init__(self, url: str, timeout: float = 30.0,
                 session: ks_session.Session | None = None) -> None:
        self.url = url.rstrip("/")
        self.session = session if session is not None else ks_session.Session()
        if self.session.auth is None:
            self.session.auth = noauth.NoAuth()
        self.session.timeout = timeout
        self.session.additional_headers[VERSION_HEADER] = API_VERSION
        self.connection = openstack.connection.Connection(
            session=self.session,
            baremetal_introspection_endpoint_override=self.url,
            baremetal_introspection_api_version="1",
        )

    @property
    def callback_url(self) -> str:
        """Where the ramdisk posts its data (``ipa-inspection-callback-url``)."""
        return f"{self.url}/v1/continue"

    def _call(self, call: str, node: str, action: Callable[..., T]) -> T:
        """Run ``action(proxy)``, mapping the SDK's and keystoneauth1's errors."""
        try:
            return action(self.connection.baremetal_introspection)
        except openstack.exceptions.HttpException as exc:
            if exc.status_code is None:  # no answer
                raise DiscoverdAPIError(url=self.url, call=call, node=node,
                                        reason=exc) from None
            raise DiscoverdRefused(url=self.url, call=call, node=node,
                                   reason=f"HTTP {exc.status_code}: {exc.details}",
                                   status=exc.status_code) from None
        except (openstack.exceptions.SDKException, ks_exc.ClientException) as exc:
            # Unreachable discoverd, or the auth plugin could not get credentials
            # (e.g. Keystone refused the service user's password).
            raise DiscoverdAPIError(url=self.url, call=call, node=node,
                                    reason=exc) from None

    def start(self, node: str, manage_boot: bool = False) -> None:
        """Start introspection of ``node`` (UUID); discoverd records its MACs.

        :param manage_boot: let discoverd set PXE and power the node on through
            Ironic's API (wrong inside the conductor, which holds the node's lock).
        :raises DiscoverdAPIError:
        """
        self._call("start introspection", node,
                   lambda proxy: proxy.start_introspection(node, manage_boot=manage_boot))

    def status(self, node: str) -> Introspection:
        """Return the last introspection of ``node`` (``is_finished``, ``error``).

        :raises DiscoverdAPIError: (``status`` 404 when it was never introspected).
        """
        return self._call("get status", node,
                          lambda proxy: proxy.get_introspection(node))

    def abort(self, node: str) -> None:
        """Abort the running introspection of ``node``.

        :raises DiscoverdAPIError: (404: unknown node, 409: not running).
        """
        def post_abort(proxy: Any) -> None:
            response = proxy.post(f"/introspection/{node}/abort", retriable_status_codes=[])
            openstack.exceptions.raise_from_response(response)

        self._call("abort introspection", node, post_abort)

    def close(self) -> None:
        self.connection.close()
