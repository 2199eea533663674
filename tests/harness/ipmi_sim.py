"""OpenIPMI ``ipmi_sim`` (a BMC we did not write) on a loopback UDP port, and a
UDP proxy that delays every packet (a slow BMC).

The configuration is the shared recipe in ``/work/shared/recipes/ipmi_sim``; power
and boot device go through its ``chassis.sh`` helper, which keeps them in files
under the state directory (they survive a restart of ipmi_sim).
"""

from __future__ import annotations

import contextlib
import heapq
import os
import random
import select
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from tests.harness.ports import free_port
from tests.harness.waiting import wait_for

RECIPE = Path(os.environ.get("IPMI_SIM_RECIPE", "/work/shared/recipes/ipmi_sim"))
USERNAME = "admin"
PASSWORD = "password"


class IpmiSim:
    """One ipmi_sim process; ``start``/``kill``/``stop`` by pid, same port each time."""

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.workdir = workdir
        self.port = port or free_port(socket.SOCK_DGRAM)
        self.proc: subprocess.Popen | None = None
        self.state_dir = workdir / "state"
        workdir.mkdir(parents=True, exist_ok=True)
        self.state_dir.mkdir(exist_ok=True)
        for name in ("lan.conf", "chassis.sh", "sim1.emu"):
            text = (RECIPE / name).read_text().replace("@STATE_DIR@", str(workdir))
            if name == "lan.conf":
                text = text.replace("addr 127.0.0.1 9001", f"addr 127.0.0.1 {self.port}")
                assert f"127.0.0.1 {self.port}" in text, "lan.conf recipe changed"
            (workdir / name).write_text(text)
        (workdir / "chassis.sh").chmod(0o755)

    @property
    def driver_info(self) -> dict[str, str]:
        return {"ipmi_address": "127.0.0.1", "ipmi_port": str(self.port),
                "ipmi_username": USERNAME, "ipmi_password": PASSWORD}

    def start(self, timeout: float = 10.0) -> None:
        log = open(self.workdir / "ipmi_sim.log", "ab")  # noqa: SIM115 - closed in stop
        self.proc = subprocess.Popen(
            ["ipmi_sim", "-c", str(self.workdir / "lan.conf"),
             "-f", str(self.workdir / "sim1.emu"), "-s", str(self.state_dir), "-n"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        self._log = log
        wait_for(lambda: self.ipmitool("power", "status", check=False).returncode == 0,
                 timeout=timeout, interval=0.1, what=f"ipmi_sim on UDP {self.port}")

    def kill(self) -> None:
        """SIGKILL, like a BMC that crashes."""
        self._end(signal.SIGKILL)

    def stop(self) -> None:
        self._end(signal.SIGTERM)

    def _end(self, sig: int) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(3)
        self.proc = None
        self._log.close()

    def ipmitool(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run ipmitool (cipher suite 3: no 10 s discovery wait) against this BMC."""
        return subprocess.run(
            ["ipmitool", "-I", "lanplus", "-C", "3", "-H", "127.0.0.1", "-p",
             str(self.port), "-U", USERNAME, "-P", PASSWORD, "-N", "1", "-R", "1", *args],
            capture_output=True, text=True, timeout=15, check=check)

    def chassis(self, name: str) -> str | None:
        """A value chassis.sh stored (``power``: '0'/'1', ``boot``: 'pxe', ...)."""
        path = self.state_dir / "chassis" / name
        return path.read_text().strip() if path.exists() else None

    def chassis_log(self) -> list[str]:
        path = self.state_dir / "chassis" / "log"
        return [line.split(" ", 1)[1] for line in path.read_text().splitlines()] \
            if path.exists() else []

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


class DelayProxy:
    """Forward UDP between one client and a BMC, delaying each packet.

    Each packet waits ``delay`` plus a random share of ``jitter`` seconds (so
    packets can also overtake each other), and is dropped with probability
    ``loss``. ``listen`` is the address clients use.
    """

    def __init__(self, target_port: int, delay: float, jitter: float = 0.0,
                 listen: str = "127.0.0.1", loss: float = 0.0) -> None:
        self.delay = delay
        self.jitter = jitter
        self.loss = loss
        self.target = ("127.0.0.1", target_port)
        self.front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.front.bind((listen, 0))
        self.back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.back.bind(("127.0.0.1", 0))
        self.port = self.front.getsockname()[1]
        self._client: tuple[str, int] | None = None
        self._queue: list[tuple[float, int, socket.socket, bytes, tuple]] = []
        self._seq = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="udp-delay", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            wait = 0.05
            if self._queue:
                wait = max(0.0, min(wait, self._queue[0][0] - time.monotonic()))
            readable, _, _ = select.select([self.front, self.back], [], [], wait)
            for sock in readable:
                try:
                    data, addr = sock.recvfrom(65536)
                except OSError:  # ICMP unreachable from an earlier send: a lossy wire
                    continue      # goes on (a dead proxy would fail every later call)
                if sock is self.front:
                    self._client = addr
                    out, dest = self.back, self.target
                elif self._client is not None:
                    out, dest = self.front, self._client
                else:
                    continue
                if random.random() < self.loss:  # noqa: S311
                    continue
                self._seq += 1
                late = self.delay + random.uniform(0.0, self.jitter)  # noqa: S311
                heapq.heappush(self._queue,
                               (time.monotonic() + late, self._seq, out, data, dest))
            while self._queue and self._queue[0][0] <= time.monotonic():
                _, _, out, data, dest = heapq.heappop(self._queue)
                with contextlib.suppress(OSError):
                    out.sendto(data, dest)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.front.close()
        self.back.close()
