"""Virtual BMCs that record what reaches them, in a child process, for the benchmarks.

(In ``bench/lib/``, not ``bench/``: ``make bench`` runs every ``bench/*.py``.)

The child serves ``count`` in-memory BMCs (powered on) and records, per BMC, the
arrival time of every in-session IPMI request (keepalives, privilege changes and
commands: what a console's per-BMC interval is about), every power-state read and
every login (Open Session request). The parent drives it over stdin:

- ``mark NAME``: start a new phase; later records belong to it;
- ``stats``: print one JSON line with the current phase's figures;
- ``window START END``: the same for what arrived between two ``monotonic()`` times.

Times are ``time.monotonic()``, one clock for every process of the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

USER, PASSWORD = "admin", "password"


def serve(count: int, workers: int) -> None:
    """Child process main: serve, print the ports, then answer stdin commands."""
    from ironic_tripleo.vbmc import packet as pkt
    from ironic_tripleo.vbmc.bmc import VirtualBmc
    from ironic_tripleo.vbmc.memory_backend import MemoryBackend
    from ironic_tripleo.vbmc.server import BmcServer

    # Replaced whole by ``mark``: threads recording hold the old or the new one.
    state: dict[str, dict[str, Any]] = {}

    def new_phase(name: str) -> None:
        state["phase"] = {"name": name, "requests": {}, "power": {}, "logins": []}

    class RecordingBackend(MemoryBackend):
        def __init__(self, index: int) -> None:
            super().__init__(power="on")
            self.index = index

        def get_power_state(self):  # noqa: ANN201 - the interface's signature
            state["phase"]["power"].setdefault(self.index, []).append(time.monotonic())
            return super().get_power_state()

    class RecordingBmc(VirtualBmc):
        def __init__(self, index: int) -> None:
            super().__init__(f"n{index}", RecordingBackend(index), USER.encode(),
                             PASSWORD.encode())
            self.index = index

        def handle(self, data: bytes, peer: tuple[str, int], now: float):  # noqa: ANN201
            try:
                packet = pkt.parse_datagram(data)
            except Exception:  # noqa: BLE001 - the real handler reports it
                packet = None
            if isinstance(packet, pkt.RmcpPlusPacket):
                phase = state["phase"]
                if packet.payload_type == pkt.PAYLOAD_IPMI and packet.session_id:
                    phase["requests"].setdefault(self.index, []).append(
                        (time.monotonic(), packet.session_id))
                elif packet.payload_type == pkt.PAYLOAD_OPEN_SESSION_REQUEST:
                    phase["logins"].append(time.monotonic())
            return super().handle(data, peer, now)

    new_phase("start")
    server = BmcServer(workers=workers)
    ports = [server.add(RecordingBmc(i)) for i in range(count)]
    server.start()
    print(json.dumps(ports), flush=True)
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "mark":
            new_phase(arg)
        elif command == "stats":
            print(json.dumps(summarise(state["phase"])), flush=True)
        elif command == "window":
            start, end = (float(x) for x in arg.split())
            print(json.dumps(summarise(window(state["phase"], start, end))), flush=True)
    server.stop()


def window(phase: dict[str, Any], start: float, end: float) -> dict[str, Any]:
    """The part of ``phase`` recorded between ``start`` and ``end``."""
    def inside(times: list) -> list:
        return [t for t in list(times) if start <= (t[0] if isinstance(t, tuple) else t) <= end]

    return {"name": phase["name"], "logins": inside(phase["logins"]),
            "requests": {k: v for k, v in ((k, inside(v)) for k, v in
                                           list(phase["requests"].items())) if v},
            "power": {k: v for k, v in ((k, inside(v)) for k, v in
                                        list(phase["power"].items())) if v}}


def summarise(phase: dict[str, Any]) -> dict[str, Any]:
    """Figures of one phase (the records are copied first: the server keeps running).

    ``min_gap`` is between two requests to one BMC, leaving out the gap after a
    session's first request (the login's own Set Session Privilege, which pyghmi
    sends before it hands the session over); that one is ``min_login_gap``.
    """
    requests = {k: sorted(v) for k, v in list(phase["requests"].items())}
    power = [t for v in list(phase["power"].values()) for t in list(v)]
    gaps, login_gaps = [], []
    for records in requests.values():
        seen: set[int] = set()
        for (a, sid_a), (b, _) in zip(records, records[1:], strict=False):
            (gaps if sid_a in seen else login_gaps).append(b - a)
            seen.add(sid_a)
    return {"phase": phase["name"],
            "requests": sum(len(v) for v in requests.values()),
            "bmcs_with_requests": len(requests),
            "min_gap": min(gaps, default=None),
            "min_login_gap": min(login_gaps, default=None),
            "power_reads": len(power),
            "bmcs_read": len(phase["power"]),
            "first_read": min(power, default=None),
            "last_read": max(power, default=None),
            "logins": len(phase["logins"])}


class RecordingBmcs:
    """The parent's handle on the child: ``ports``, ``mark()``, ``stats()``, ``close()``."""

    def __init__(self, count: int, workers: int = 16) -> None:
        self._child = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), str(count), str(workers)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self._child.stdout.readline()
        if not line:
            self._child.wait(timeout=10)
            raise RuntimeError(f"the virtual BMC child exited with {self._child.returncode}")
        self.ports: list[int] = json.loads(line)
        self.pid = self._child.pid

    def _send(self, line: str) -> None:
        self._child.stdin.write(line + "\n")
        self._child.stdin.flush()

    def mark(self, name: str) -> None:
        """Start phase ``name``."""
        self._send(f"mark {name}")

    def window(self, start: float, end: float) -> dict[str, Any]:
        """Figures of what arrived between ``start`` and ``end`` (monotonic)."""
        self._send(f"window {start!r} {end!r}")
        return json.loads(self._child.stdout.readline())

    def stats(self) -> dict[str, Any]:
        """The current phase's figures (see :func:`summarise`)."""
        self._send("stats")
        return json.loads(self._child.stdout.readline())

    def close(self) -> None:
        """Stop the child (stdin EOF, then SIGKILL by pid if it lingers)."""
        try:
            self._child.stdin.close()
            self._child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._child.kill()
            self._child.wait(timeout=5)

    def __enter__(self) -> RecordingBmcs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    # the repository's root, for ironic_tripleo
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    serve(int(sys.argv[1]), int(sys.argv[2]))
