"""A small client of discoverd's ironic-inspector v1 API: start, status, abort.

Requests go through a keystoneauth1 session, as Ironic's own clients of other
services do: its auth plugin adds the credentials discoverd's ``auth_strategy``
asks for (``http_basic``: an ``Authorization: Basic`` header; ``keystone``: a
token in ``X-Auth-Token``, fetched and renewed by the plugin); with no plugin
nothing is added (``noauth``). Errors become ``DiscoverdAPIError`` carrying the
HTTP status (``None`` when discoverd did not answer) and discoverd's own message.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import requests
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session

from ironic_tripleo.exception import DiscoverdAPIError, DiscoverdRefused

LOG = logging.getLogger(__name__)

API_VERSION = "1.18"
VERSION_HEADER = "X-OpenStack-Ironic-Inspector-API-Version"


@dataclasses.dataclass(frozen=True)
class IntrospectionStatus:
    """The part of ``GET /v1/introspection/<node>`` the interface needs."""

    uuid: str
    state: str
    finished: bool
    error: str | None

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> IntrospectionStatus:
        return cls(uuid=body["uuid"], state=body.get("state", ""),
                   finished=bool(body["finished"]), error=body.get("error"))


class DiscoverdClient:
    """discoverd's API at ``url``.

    :param url: base URL, e.g. ``http://127.0.0.1:5050`` (no ``/v1``).
    :param timeout: seconds for one request.
    :param session: a keystoneauth1 session whose auth plugin (if any) supplies the
        credentials; a session without auth when ``None``.
    """

    def __init__(self, url: str, timeout: float = 30.0,
                 session: ks_session.Session | None = None) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = session if session is not None else ks_session.Session()

    @property
    def callback_url(self) -> str:
        """Where the ramdisk posts its data (``ipa-inspection-callback-url``)."""
        return f"{self.url}/v1/continue"

    def _request(self, method: str, path: str, call: str, node: str,
                 **kwargs: Any) -> requests.Response:
        try:
            resp = self.session.request(f"{self.url}{path}", method, timeout=self.timeout,
                                        raise_exc=False, headers={VERSION_HEADER: API_VERSION},
                                        **kwargs)
        except ks_exc.ClientException as exc:
            # Unreachable discoverd, or the auth plugin could not get credentials
            # (e.g. Keystone refused the service user's password).
            raise DiscoverdAPIError(url=self.url, call=call, node=node, reason=exc) from None
        if resp.status_code >= 400:
            raise DiscoverdRefused(url=self.url, call=call, node=node,
                                   reason=f"HTTP {resp.status_code}: {_message(resp)}",
                                   status=resp.status_code)
        return resp

    def start(self, node: str, manage_boot: bool = False) -> None:
        """Start introspection of ``node`` (UUID); discoverd records its MACs.

        :param manage_boot: let discoverd set PXE and power the node on through
            Ironic's API (wrong inside the conductor, which holds the node's lock).
        :raises DiscoverdAPIError:
        """
        self._request("POST", f"/v1/introspection/{node}", "start introspection", node,
                      params={"manage_boot": str(manage_boot).lower()})

    def status(self, node: str) -> IntrospectionStatus:
        """Return the status of the last introspection of ``node``.

        :raises DiscoverdAPIError: (``status`` 404 when it was never introspected).
        """
        resp = self._request("GET", f"/v1/introspection/{node}", "get status", node)
        return IntrospectionStatus.from_json(resp.json())

    def abort(self, node: str) -> None:
        """Abort the running introspection of ``node``.

        :raises DiscoverdAPIError: (404: unknown node, 409: not running).
        """
        self._request("POST", f"/v1/introspection/{node}/abort", "abort introspection",
                      node)

    def close(self) -> None:
        self.session.session.close()


def _message(resp: requests.Response) -> str:
    """discoverd's ``{"error": {"message": ...}}``, or the start of the body."""
    try:
        return str(resp.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return resp.text[:200] or resp.reason
