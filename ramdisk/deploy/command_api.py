"""The deploy agent's HTTP command API, guarded by the agent token.

Routes (JSON in, JSON out):

- ``GET  /v1/status`` -> ``{"node": uuid, "agent_version", "target": {...}|null}``
- ``POST /v1/commands/start_iscsi_target`` ``{iqn, username, password,
  portal_port?, root_device_hints?, initiator?}`` -> ``{device, size_bytes, iqn,
  portal, lun}``
- ``POST /v1/commands/stop_iscsi_target`` -> ``{"stopped": iqn|null}``
- ``POST /v1/commands/power_off`` -> ``{"power_off": "scheduled"}``
- ``POST /v1/commands`` ``{"name": "iscsi.start_iscsi_target", "params": {...}}``
  (ironic-python-agent style; the part after the last dot names the command).

Every request carries the token Ironic handed out at lookup, in the header
``X-Agent-Token`` or the body field ``agent_token``: missing -> 401, wrong -> 403.
Errors: ``{"error": {"message": ...}}``.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ramdisk.deploy import exception as exc
from ramdisk.deploy.commands import DeployCommands
from ramdisk.exception import RamdiskError

LOG = logging.getLogger(__name__)

TOKEN_HEADER = "X-Agent-Token"  # noqa: S105 - a header name
MAX_BODY = 64 * 1024
COMMANDS = ("start_iscsi_target", "stop_iscsi_target", "power_off", "status")
STATUS_OF: dict[type[RamdiskError], HTTPStatus] = {
    exc.InvalidCommand: HTTPStatus.BAD_REQUEST,
    exc.InvalidRootDeviceHints: HTTPStatus.BAD_REQUEST,
    exc.NoRootDevice: HTTPStatus.NOT_FOUND,
    exc.TargetBusy: HTTPStatus.CONFLICT,
}


class APIError(Exception):
    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


class CommandServer(ThreadingHTTPServer):
    """HTTP server bound to ``(host, port)`` dispatching to ``commands``."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], commands: DeployCommands, token: str,
                 node_uuid: str = "", agent_version: str = "") -> None:
        super().__init__(address, _Handler)
        self.commands, self.token = commands, token
        self.node_uuid, self.agent_version = node_uuid, agent_version
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def check_token(self, given: str | None) -> None:
        """:raises APIError: 401 without a token, 403 with a wrong one."""
        if not given:
            raise APIError(HTTPStatus.UNAUTHORIZED,
                           f"missing agent token: send it in the {TOKEN_HEADER} header")
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            raise APIError(HTTPStatus.FORBIDDEN, "wrong agent token")

    def dispatch(self, name: str, params: dict) -> dict:
        if name not in COMMANDS:
            raise APIError(HTTPStatus.NOT_FOUND,
                           f"unknown command {name!r}; known: {', '.join(COMMANDS)}")
        try:
            result = getattr(self.commands, name)(params)
        except RamdiskError as error:
            status = STATUS_OF.get(type(error), HTTPStatus.INTERNAL_SERVER_ERROR)
            raise APIError(status, str(error)) from error
        except OSError as error:
            raise APIError(HTTPStatus.INTERNAL_SERVER_ERROR, f"{name}: {error}") from error
        if name == "status":
            result = {"node": self.node_uuid, "agent_version": self.agent_version, **result}
        return result

    def start(self) -> CommandServer:
        self._thread = threading.Thread(target=self.serve_forever, name="command-api",
                                        daemon=True)
        self._thread.start()
        LOG.info("command API listening on %s", self.url)
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(5)


class _Handler(BaseHTTPRequestHandler):
    server: CommandServer
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt: str, *args: object) -> None:
        LOG.debug("%s %s", self.address_string(), fmt % args)

    def _send(self, status: HTTPStatus, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise APIError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body over {MAX_BODY} bytes")
        if not length:
            return {}
        try:
            body = json.loads(self.rfile.read(length))
        except ValueError as error:
            raise APIError(HTTPStatus.BAD_REQUEST, f"body is not JSON: {error}") from error
        if not isinstance(body, dict):
            raise APIError(HTTPStatus.BAD_REQUEST, "body must be a JSON object")
        return body

    def _handle(self, method: str) -> None:
        try:
            body = self._body() if method == "POST" else {}
            token = self.headers.get(TOKEN_HEADER) or body.pop("agent_token", None)
            self.server.check_token(token)
            path = self.path.split("?", 1)[0].rstrip("/")
            if method == "GET" and path == "/v1/status":
                name, params = "status", {}
            elif method == "POST" and path == "/v1/commands":
                name = str(body.get("name", "")).rsplit(".", 1)[-1]
                params = body.get("params") or {}
            elif method == "POST" and path.startswith("/v1/commands/"):
                name, params = path.rsplit("/", 1)[-1], body
            else:
                raise APIError(HTTPStatus.NOT_FOUND, f"no route {method} {path}")
            LOG.info("command %s", name)
            self._send(HTTPStatus.OK, self.server.dispatch(name, params))
        except APIError as error:
            LOG.warning("%s %s: %s", method, self.path, error)
            self._send(error.status, {"error": {"message": str(error)}})

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self._handle("POST")
