"""The ramdisk protocol with Ironic: lookup, then heartbeats carrying the agent token.

``GET /v1/lookup?addresses=MAC1,MAC2`` answers the node (uuid, properties,
instance_info, driver_internal_info) and ``config`` with ``agent_token`` (handed out on
the first lookup only) and ``heartbeat_timeout``. ``POST /v1/heartbeat/<node>`` with
``{callback_url, agent_version, agent_token}`` answers 202.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Sequence

import requests

from ramdisk.deploy.exception import HeartbeatFailed, LookupFailed

LOG = logging.getLogger(__name__)

API_HEADERS = {"X-OpenStack-Ironic-API-Version": "latest"}
AGENT_VERSION = "ironic-tripleo-ramdisk 0.1"
DEFAULT_HEARTBEAT_TIMEOUT = 300


@dataclasses.dataclass
class LookupResult:
    """What the lookup told the agent.

    :param node_uuid: the node this machine is.
    :param agent_token: the secret every command from the conductor must carry.
    :param heartbeat_timeout: seconds after which Ironic considers the agent gone.
    :param node: the node fields Ironic returned (properties, instance_info, ...).
    """

    node_uuid: str
    agent_token: str | None = dataclasses.field(repr=False)
    heartbeat_timeout: int = DEFAULT_HEARTBEAT_TIMEOUT
    node: dict = dataclasses.field(default_factory=dict, repr=False)

    @property
    def root_device_hints(self) -> dict | None:
        return (self.node.get("properties") or {}).get("root_device")

    def interval(self, fraction: float = 0.3, minimum: float = 1.0) -> float:
        """Seconds between heartbeats: a fraction of the timeout, at least ``minimum``."""
        return max(minimum, self.heartbeat_timeout * fraction)


def _reason(response: requests.Response) -> str:
    try:
        body = response.json()
        message = body.get("error_message") or body.get("error") or body
        return f"HTTP {response.status_code}: {message}"
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"


def lookup(session: requests.Session, api_url: str, macs: Sequence[str],
           timeout: float = 30.0) -> LookupResult:
    """Look the node up by its MACs.

    :raises LookupFailed: no answer, or Ironic refused (unknown MACs, wrong state),
        or no agent token (someone else looked the node up first).
    """
    url = f"{api_url.rstrip('/')}/v1/lookup"
    macs_text = ",".join(macs)
    try:
        response = session.get(url, params={"addresses": macs_text}, headers=API_HEADERS,
                               timeout=timeout)
    except requests.RequestException as exc:
        raise LookupFailed(macs=macs_text, url=url, reason=str(exc)) from exc
    if response.status_code != 200:
        raise LookupFailed(macs=macs_text, url=url, reason=_reason(response))
    body = response.json()
    node, config = body.get("node") or {}, body.get("config") or {}
    token = config.get("agent_token")
    if not token or token == "******":  # noqa: S105 - Ironic's mask for a token already given
        raise LookupFailed(macs=macs_text, url=url,
                           reason="no agent token in the answer (already handed out)")
    result = LookupResult(node_uuid=node["uuid"], agent_token=token,
                          heartbeat_timeout=int(config.get("heartbeat_timeout")
                                                or DEFAULT_HEARTBEAT_TIMEOUT),
                          node=node)
    LOG.info("looked up as node %s (heartbeat timeout %ss)", result.node_uuid,
             result.heartbeat_timeout)
    return result


def heartbeat(session: requests.Session, api_url: str, node_uuid: str, callback_url: str,
              agent_token: str, agent_version: str = AGENT_VERSION,
              timeout: float = 30.0) -> None:
    """Send one heartbeat.

    :raises HeartbeatFailed: no answer or not 202 (wrong token: 401/403 from Ironic).
    """
    url = f"{api_url.rstrip('/')}/v1/heartbeat/{node_uuid}"
    body = {"callback_url": callback_url, "agent_version": agent_version,
            "agent_token": agent_token}
    try:
        response = session.post(url, json=body, headers=API_HEADERS, timeout=timeout)
    except requests.RequestException as exc:
        raise HeartbeatFailed(node=node_uuid, url=url, reason=str(exc)) from exc
    if response.status_code != 202:
        raise HeartbeatFailed(node=node_uuid, url=url, reason=_reason(response))
    LOG.debug("heartbeat of %s accepted", node_uuid)


class Heartbeater:
    """Send heartbeats every ``interval`` seconds from a thread until ``stop()``.

    A failed heartbeat is logged and retried at the next tick: Ironic may be
    restarting, or busy with the node (409).
    """

    def __init__(self, session: requests.Session, api_url: str, found: LookupResult,
                 callback_url: str, interval: float | None = None) -> None:
        self.session, self.api_url, self.found = session, api_url, found
        self.callback_url = callback_url
        self.interval = interval if interval is not None else found.interval()
        self.count = 0
        self.failures = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> bool:
        """Send one heartbeat now; return whether it was accepted."""
        try:
            heartbeat(self.session, self.api_url, self.found.node_uuid, self.callback_url,
                      self.found.agent_token or "")
        except HeartbeatFailed as exc:
            self.failures += 1
            LOG.warning("%s", exc)
            return False
        self.count += 1
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            self.beat()
            self._stop.wait(self.interval)

    def start(self) -> Heartbeater:
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
