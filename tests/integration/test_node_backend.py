"""LabNodeBackend on a real namespace: power is the firmware process, calls may race."""

import json
import os
import secrets
import signal
import threading
import time

import pytest

from ironic_tripleo.lab import netns
from ironic_tripleo.lab.node import NodeDir, NodeSpec
from ironic_tripleo.lab.node_backend import LabNodeBackend
from ironic_tripleo.vbmc.backend import BootDevice, PowerState
from tests.harness.waiting import wait_for


@pytest.fixture
def backend(tmp_path):
    namespace = f"itt-{secrets.token_hex(4)}"
    netns.add_namespace(namespace)
    NodeDir.create(tmp_path / "n0", NodeSpec(disk_gb=1), "n0", "52:54:00:00:00:01", namespace)
    backend = LabNodeBackend(tmp_path / "n0", soft_off_timeout=2)
    try:
        yield backend
    finally:
        backend.power_off()
        for pid in netns.namespace_pids(namespace):
            os.kill(pid, signal.SIGKILL)
        netns.delete_namespace(namespace)


def test_power_cycle_is_the_firmware_process(backend):
    assert backend.get_power_state() is PowerState.OFF
    backend.power_on()
    backend.power_on()  # no-op when on
    pid = backend.firmware_pid()
    assert backend.get_power_state() is PowerState.ON
    wait_for(lambda: netns.namespace_pids(backend.namespace) == [pid], timeout=5,
             what="firmware in namespace")
    backend.reset()
    assert backend.firmware_pid() not in (None, pid)
    backend.power_off()
    backend.power_off()  # no-op when off
    assert backend.get_power_state() is PowerState.OFF
    wait_for(lambda: netns.namespace_pids(backend.namespace) == [], timeout=5, what="gone")


def test_soft_off_lets_the_firmware_shut_down(backend):
    backend.power_on()
    wait_for(lambda: "booting from" in backend.node.console_log.read_text(), timeout=10,
             what="boot message")
    backend.soft_off()
    wait_for(lambda: backend.get_power_state() is PowerState.OFF, timeout=5, what="soft off")
    assert "ACPI soft-off" in backend.node.console_log.read_text()


def test_one_time_boot_device_is_used_once(backend):
    backend.set_boot_device(BootDevice.PXE, persistent=True)
    backend.set_boot_device(BootDevice.DISK, persistent=False)
    assert backend.get_boot_device() == (BootDevice.DISK, False)
    backend.power_on()
    assert backend.get_boot_device() == (BootDevice.PXE, True)
    last = backend.node.path / "last_boot.json"
    wait_for(last.exists, timeout=10, what="boot record")
    assert json.loads(last.read_text())["device"] == "disk"
    backend.reset()
    wait_for(lambda: json.loads(last.read_text())["device"] == "pxe", timeout=10,
             what="second boot from pxe")


def test_concurrent_calls_leave_one_consistent_machine(backend):
    errors = []

    def hammer(seed):
        try:
            for i in range(15):
                action = (seed + i) % 4
                if action == 0:
                    backend.power_on()
                elif action == 1:
                    backend.power_off()
                elif action == 2:
                    backend.reset()
                else:
                    backend.get_power_state()
        except Exception as exc:  # collected, asserted below
            errors.append(exc)

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    backend.power_on()
    time.sleep(0.5)  # any stray second firmware would have reached the namespace by now
    assert netns.namespace_pids(backend.namespace) == [backend.firmware_pid()]
