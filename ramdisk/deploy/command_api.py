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
``X-Agent-Token`` or the body field ``agent_token``: missing -> 401, wrong or not a
string -> 403. A header token is checked before the body is read. Bodies: at most
``MAX_BODY`` bytes (413), a valid ``Content-Length`` (400), a JSON object nested at most
``MAX_DEPTH`` levels (400). Every request gets an answer; errors are
``{"error": {"message": ...}}``.
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
from ramdisk.deploy.exception import APIError
from ramdisk.exception import RamdiskError

LOG = logging.getLogger(__name__)

TOKEN_HEADER = "X-Agent-Token"  # noqa: S105 - a header name
MAX_BODY = 64 * 1024
MAX_DEPTH = 16
COMMANDS = ("start_iscsi_target", "stop_iscsi_target", "power_off", "status")
STATUS_OF: dict[type[RamdiskError], HTTPStatus] = {
    exc.InvalidCommand: HTTPStatus.BAD_REQUEST,
    exc.InvalidRootDeviceHints: HTTPStatus.BAD_REQUEST,
    exc.NoRootDevice: HTTPStatus.NOT_FOUND,
    exc.TargetBusy: HTTPStatus.CONFLICT,
}


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

    def check_token(self, given: object) -> None:
        """:raises APIError: 401 without a token, 403 with a wrong one or a non-string."""
        if given is None or given == "":
            raise APIError(HTTPStatus.UNAUTHORIZED,
                           f"missing agent token: send it in the {TOKEN_HEADER} header")
        if not isinstance(given, str):
            raise APIError(HTTPStatus.FORBIDDEN,
                           f"agent token must be a string, not {type(given).__name__}")
        if not hmac.compare_digest(given.encode(errors="surrogatepass"),
                                   self.token.encode()):
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

    def _length(self) -> int:
        """:raises APIError: 400 for a Content-Length that is not a count, 413 over MAX_BODY."""
        given = self.headers.get("Content-Length")
        if given is None:
            return 0
        if not given.strip().isdigit():
            raise APIError(HTTPStatus.BAD_REQUEST,
                           f"Content-Length must be a number of bytes, not {given!r}")
        length = int(given)
        if length > MAX_BODY:
            raise APIError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body over {MAX_BODY} bytes")
        return length

    def _body(self) -> dict:
        """Read and decode the body: a JSON object at most ``MAX_DEPTH`` levels deep.

        :raises APIError: 400 or 413 naming what is wrong.
        """
        length = self._length()
        if not length:
            return {}
        data = self.rfile.read(length)
        if _depth(data) > MAX_DEPTH:
            raise APIError(HTTPStatus.BAD_REQUEST,
                           f"body nested deeper than {MAX_DEPTH} levels")
        try:
            body = json.loads(data)
        except ValueError as error:
            raise APIError(HTTPStatus.BAD_REQUEST, f"body is not JSON: {error}") from error
        if not isinstance(body, dict):
            raise APIError(HTTPStatus.BAD_REQUEST, "body must be a JSON object")
        return body

    def _route(self, method: str, body: dict) -> tuple[str, dict]:
        """Return the command name and its parameters for this request.

        :raises APIError: 404 for an unknown route, 400 for a malformed IPA-style body.
        """
        path = self.path.split("?", 1)[0].rstrip("/")
        if method == "GET" and path == "/v1/status":
            return "status", {}
        if method == "POST" and path == "/v1/commands":
            name, params = body.get("name"), body.get("params")
            if not isinstance(name, str):
                raise APIError(HTTPStatus.BAD_REQUEST,
                               f"name must be a string such as iscsi.start_iscsi_target, "
                               f"not {type(name).__name__}")
            if params is None:
                params = {}
            if not isinstance(params, dict):
                raise APIError(HTTPStatus.BAD_REQUEST,
                               f"params must be an object, not {type(params).__name__}")
            return name.rsplit(".", 1)[-1], params
        if method == "POST" and path.startswith("/v1/commands/"):
            return path.rsplit("/", 1)[-1], body
        raise APIError(HTTPStatus.NOT_FOUND, f"no route {method} {path}")

    def _handle(self, method: str) -> None:
        try:
            token = self.headers.get(TOKEN_HEADER)
            if token:
                self.server.check_token(token)
            body = self._body() if method == "POST" else {}
            if not token:
                self.server.check_token(body.pop("agent_token", None))
            name, params = self._route(method, body)
            LOG.info("command %s", name)
            self._send(HTTPStatus.OK, self.server.dispatch(name, params))
        except APIError as error:
            LOG.warning("%s %s: %s", method, self.path, error)
            self.close_connection = True
            self._send(error.status, {"error": {"message": str(error)}})
        except Exception as error:  # noqa: BLE001 - every request gets an answer
            LOG.exception("%s %s failed", method, self.path)
            self.close_connection = True
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR,
                       {"error": {"message": f"{type(error).__name__}: {error}"}})

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self._handle("POST")


def _depth(data: bytes) -> int:
    """Return the deepest nesting of ``[``/``{`` in JSON text, outside strings.

    Counted before decoding so that a deeply nested body never reaches the recursive
    decoder (RecursionError).
    """
    depth = deepest = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest
