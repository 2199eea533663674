"""A minimal QMP client: the qemu monitor protocol over a unix socket.

QMP is JSON objects, one per line: qemu greets with ``{"QMP": ...}``, the client
must send ``qmp_capabilities`` before any other command, and every command gets one
``{"return": ...}`` or ``{"error": {"class", "desc"}}``; asynchronous ``{"event": ...}``
objects may arrive in between and are skipped. The lab needs three commands
(``system_powerdown``, ``system_reset``, ``query-status``), so this is a few lines
rather than a dependency on ``qemu.qmp`` (asyncio, not packaged in Debian bookworm).

A unix socket path is limited to 108 bytes; a longer one is reached through
``/proc/self/fd/N/NAME`` with ``N`` an ``O_PATH`` descriptor of its directory.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

from ironic_tripleo.lab.exception import QmpError

SUN_PATH_MAX = 107


class QmpClient:
    """One QMP session; use as a context manager.

    :param path: the monitor's unix socket.
    :param timeout: seconds any read or write may take.
    """

    def __init__(self, path: Path | str, timeout: float = 5.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._sock: socket.socket | None = None
        self._reader: Any = None

    def __enter__(self) -> QmpClient:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _fail(self, command: str, reason: object) -> QmpError:
        return QmpError(socket=self.path, command=command, reason=reason)

    def connect(self) -> None:
        """Connect, read the greeting and negotiate capabilities.

        :raises QmpError: when the socket refuses or the greeting is not QMP's.
        """
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            if len(os.fsencode(self.path)) <= SUN_PATH_MAX:
                sock.connect(str(self.path))
            else:
                dirfd = os.open(self.path.parent, os.O_PATH | os.O_CLOEXEC)
                try:
                    sock.connect(f"/proc/self/fd/{dirfd}/{self.path.name}")
                finally:
                    os.close(dirfd)
        except OSError as exc:
            sock.close()
            raise self._fail("connect", exc) from exc
        self._sock, self._reader = sock, sock.makefile("rb")
        greeting = self._read("greeting")
        if "QMP" not in greeting:
            self.close()
            raise self._fail("greeting", f"not a QMP greeting: {greeting!r}")
        self.execute("qmp_capabilities")

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
        if self._sock is not None:
            self._sock.close()
        self._sock = self._reader = None

    def _read(self, command: str) -> dict:
        try:
            line = self._reader.readline()
        except OSError as exc:
            raise self._fail(command, exc) from exc
        if not line:
            raise self._fail(command, "qemu closed the connection")
        try:
            message = json.loads(line)
        except ValueError as exc:
            raise self._fail(command, f"not JSON: {line[:200]!r}") from exc
        if not isinstance(message, dict):
            raise self._fail(command, f"not a JSON object: {line[:200]!r}")
        return message

    def execute(self, command: str, arguments: dict | None = None) -> Any:
        """Run ``command``; return its ``return`` value.

        :raises QmpError: on a QMP error answer (its class and description), a
            closed connection or a timeout.
        """
        if self._sock is None:
            raise self._fail(command, "not connected")
        request: dict[str, Any] = {"execute": command}
        if arguments:
            request["arguments"] = arguments
        try:
            self._sock.sendall(json.dumps(request).encode() + b"\n")
        except OSError as exc:
            raise self._fail(command, exc) from exc
        while True:
            message = self._read(command)
            if "return" in message:
                return message["return"]
            if "error" in message:
                error = message["error"]
                raise self._fail(command, f"{error.get('class')}: {error.get('desc')}")
            # an asynchronous event: not our answer


def command(path: Path | str, name: str, timeout: float = 5.0) -> Any:
    """Connect, run one command and close; return its ``return`` value."""
    with QmpClient(path, timeout) as client:
        return client.execute(name)
