"""A small stand-in for openstacksdk's compute proxy, for unit tests of the mapping.

It keeps Nova's rules that matter here: actions set a task_state at once (as the
API does), the task ends after ``task_reads`` readings, stop/reboot are refused
(409) from RESCUE, and metadata updates too; start only from SHUTOFF, rescue only
from ACTIVE/SHUTOFF.
"""

from __future__ import annotations

import threading
import time
import types

import openstack.exceptions as sdk_exc

from ironic_tripleo.quintupleo.power_states import RUNNING, SHUTDOWN

SERVER_ID = "8f0c6a2e-6d9a-4a55-9a3a-3f6f0f3b1c11"


class FakeServer:
    def __init__(self, status="SHUTOFF", power_state=SHUTDOWN, name="node-0"):
        self.id, self.name = SERVER_ID, name
        self.status, self.power_state, self.task_state = status, power_state, None
        self.metadata: dict[str, str] = {}
        self.pending = None  # (reads left, final status, final power_state)


class FakeCompute:
    def __init__(self, server: FakeServer | None, task_reads: int = 2,
                 call_delay: float = 0.0) -> None:
        self.server = server
        self.task_reads = task_reads
        self.call_delay = call_delay
        self.calls: list[str] = []
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()

    def _enter(self, name: str) -> FakeServer:
        with self._lock:
            self.calls.append(name)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            if self.call_delay:
                time.sleep(self.call_delay)
        finally:
            with self._lock:
                self.active -= 1
        if self.server is None:
            raise sdk_exc.NotFoundException("No Server found")
        return self.server

    def _task(self, server, task, status, power):
        if server.task_state:
            raise sdk_exc.ConflictException(f"task_state {server.task_state}")
        server.task_state = task
        server.pending = (self.task_reads, status, power)

    def get_server(self, server_id):
        server = self._enter("get")
        if server.pending:
            left, status, power = server.pending
            if left <= 0:
                server.status, server.power_state, server.task_state = status, power, None
                server.pending = None
            else:
                server.pending = (left - 1, status, power)
        return types.SimpleNamespace(id=server.id, name=server.name, status=server.status,
                                     power_state=server.power_state,
                                     task_state=server.task_state,
                                     metadata=dict(server.metadata))

    def servers(self, name=None):
        server = self._enter("list")
        return [server] if name is None or server.name == name else []

    def start_server(self, server_id):
        server = self._enter("start")
        if server.status != "SHUTOFF":
            raise sdk_exc.ConflictException(f"cannot start in {server.status}")
        self._task(server, "powering-on", "ACTIVE", RUNNING)

    def stop_server(self, server_id):
        server = self._enter("stop")
        if server.status not in ("ACTIVE", "ERROR"):
            raise sdk_exc.ConflictException(f"cannot stop in {server.status}")
        self._task(server, "powering-off", "SHUTOFF", SHUTDOWN)

    def reboot_server(self, server_id, reboot_type):
        server = self._enter(f"reboot {reboot_type}")
        if server.status not in ("ACTIVE", "SHUTOFF"):
            raise sdk_exc.ConflictException(f"cannot reboot in {server.status}")
        self._task(server, "rebooting_hard" if reboot_type == "HARD" else "rebooting",
                   "ACTIVE", RUNNING)

    def rescue_server(self, server_id, image=None):
        server = self._enter(f"rescue {image}")
        if server.status not in ("ACTIVE", "SHUTOFF"):
            raise sdk_exc.ConflictException(f"cannot rescue in {server.status}")
        # like the fake virt driver: power_state unchanged by the rescue
        self._task(server, "rescuing", "RESCUE", server.power_state)

    def unrescue_server(self, server_id):
        server = self._enter("unrescue")
        if server.status != "RESCUE":
            raise sdk_exc.ConflictException(f"cannot unrescue in {server.status}")
        self._task(server, "unrescuing", "ACTIVE", RUNNING)

    def set_server_metadata(self, server_id, **metadata):
        server = self._enter("metadata")
        if server.status == "RESCUE":  # as Nova 34: 409 in vm_state rescued
            raise sdk_exc.ConflictException("cannot update metadata in vm_state rescued")
        server.metadata.update(metadata)


def connection(compute: FakeCompute) -> types.SimpleNamespace:
    def find_image(name, ignore_missing=True):
        return types.SimpleNamespace(id=name, name=name) if name == "ipxe" else None

    return types.SimpleNamespace(compute=compute,
                                 image=types.SimpleNamespace(find_image=find_image))
