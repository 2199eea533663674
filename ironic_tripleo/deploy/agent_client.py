"""Client of the deploy ramdisk's command API (``ramdisk/deploy/command_api.py``).

The agent token Ironic handed out at lookup goes in ``X-Agent-Token``; CHAP
credentials travel in the request body only and are never logged.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import requests

from ironic_tripleo.deploy import initiator_netns
from ironic_tripleo.exception import AgentCommandFailed

LOG = logging.getLogger(__name__)
TOKEN_HEADER = "X-Agent-Token"  # noqa: S105 - a header name


class AgentClient:
    """Calls on one agent at ``url`` (the heartbeat's callback_url).

    :param token: the node's ``agent_secret_token``.
    :param timeout: seconds to wait for each answer.
    :param netns: network namespace the connections start from (``initiator_netns``).
    """

    def __init__(self, url: str, token: str, node: str = "?", timeout: float = 60.0,
                 session: requests.Session | None = None, netns: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.node = node
        self.timeout = timeout
        self.session = session or initiator_netns.session(netns)

    def _post(self, command: str, body: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """POST a command; return its JSON answer.

        :raises AgentCommandFailed: no answer, or an error status (with its message).
        """
        LOG.debug("node %s: agent command %s", self.node, command)
        try:
            r = self.session.post(f"{self.url}/v1/commands/{command}", json=dict(body or {}),
                                  headers={TOKEN_HEADER: self.token}, timeout=self.timeout)
        except requests.ConnectTimeout as exc:
            raise AgentCommandFailed(
                node=self.node, url=self.url, command=command,
                reason=f"agent unreachable: no connection within {self.timeout:g}s") from exc
        except requests.ConnectionError as exc:
            raise AgentCommandFailed(node=self.node, url=self.url, command=command,
                                     reason=f"agent unreachable: {exc}") from exc
        except requests.Timeout as exc:
            raise AgentCommandFailed(node=self.node, url=self.url, command=command,
                                     reason=f"no answer within {self.timeout:g}s") from exc
        except requests.RequestException as exc:
            raise AgentCommandFailed(node=self.node, url=self.url, command=command,
                                     reason=str(exc)) from exc
        try:
            answer = r.json()
        except ValueError:
            answer = {}
        if r.status_code != 200:
            message = (answer.get("error") or {}).get("message") if isinstance(
                answer, dict) else None
            raise AgentCommandFailed(node=self.node, url=self.url, command=command,
                                     reason=f"HTTP {r.status_code}: {message or r.text[:200]}")
        return answer if isinstance(answer, dict) else {}

    def start_iscsi_target(self, iqn: str, username: str, password: str, portal_port: int,
                           root_device_hints: Mapping[str, Any] | None = None
                           ) -> dict[str, Any]:
        """Export the root disk; return ``{device, size_bytes, iqn, portal, lun}``."""
        body: dict[str, Any] = {"iqn": iqn, "username": username, "password": password,
                                "portal_port": portal_port}
        if root_device_hints:
            body["root_device_hints"] = dict(root_device_hints)
        return self._post("start_iscsi_target", body)

    def stop_iscsi_target(self) -> dict[str, Any]:
        """Remove the export and stop the target daemon (fine when none runs)."""
        return self._post("stop_iscsi_target")

    def power_off(self) -> dict[str, Any]:
        """Ask the ramdisk to stop the target and power the machine off."""
        return self._post("power_off")

    def close(self) -> None:
        self.session.close()
