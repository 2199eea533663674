"""The ``iscsi`` deploy interface in a real Ironic 39 with a real deploy agent.

Ironic (API + conductor) and the agent both run in the root namespace on 127.0.0.1:
lookup/heartbeat go to Ironic's loopback API, the conductor calls the agent's command
API and writes through the agent's tgtd portal on loopback (userspace initiator).
No client here ever reaches into a namespace address. One Ironic (and so one iSCSI
portal port) serves the module; the agent's ports, IQNs and tgtd control ports are
fresh for every test.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.harness import disk_images
from tests.harness.disk_images import MiB
from tests.harness.iscsi_deploy import (
    API,
    MBR_SIGNATURE,
    available_node,
    blank_disk,
    deploy,
    raw_image,
    set_provision,
    sha256,
    start_agent,
    start_iscsi_ironic,
    stop_agent,
    wait_state,
)
from tests.harness.waiting import wait_for


@pytest.fixture(scope="module")
def iscsi_ironic(tmp_path_factory):
    """Ironic whose nodes deploy through ``iscsi`` (see ``start_iscsi_ironic``), shared
    by the module: each test enrolls its own node from its own image files."""
    service = start_iscsi_ironic(tmp_path_factory.mktemp("ironic"),
                                 tmp_path_factory.mktemp("cache"))
    yield service
    service.stop()


def test_whole_disk_raw_deploy_to_active(iscsi_ironic, tmp_path):
    image, disk = raw_image(tmp_path), blank_disk(tmp_path)
    uuid, mac = available_node(iscsi_ironic.url, {
        "image_source": image.as_uri(), "image_os_hash_algo": "sha256",
        "image_os_hash_value": sha256(image)})
    set_provision(iscsi_ironic.url, uuid, "active")
    wait_state(iscsi_ironic.url, uuid, "wait call-back", 60)
    proc, _ = start_agent(iscsi_ironic, mac, disk, tmp_path)
    try:
        node = wait_state(iscsi_ironic.url, uuid, "active", 120)
        assert node["power_state"] == "power on" and not node["last_error"]
        assert sha256(disk, image.stat().st_size) == sha256(image)
        assert node["driver_internal_info"]["root_uuid_or_disk_id"] == MBR_SIGNATURE
        assert proc.wait(timeout=30) == 0  # the agent powered off (tear_down_agent)
    finally:
        stop_agent(proc)
    log = (iscsi_ironic.workdir / "ironic.log").read_text()
    assert "iqn.2026-11.org.openstack.ironic-tripleo:" + uuid in log


def test_bad_checksum_fails_and_leaves_disk_untouched(iscsi_ironic, tmp_path):
    image, disk = raw_image(tmp_path), blank_disk(tmp_path)
    before = sha256(disk)
    uuid, mac = available_node(iscsi_ironic.url, {
        "image_source": image.as_uri(), "image_os_hash_algo": "sha256",
        "image_os_hash_value": "0" * 64})
    set_provision(iscsi_ironic.url, uuid, "active")
    proc, port = start_agent(iscsi_ironic, mac, disk, tmp_path)
    try:
        node = wait_state(iscsi_ironic.url, uuid, "deploy failed", 120)
        assert "failed verification" in node["last_error"], node["last_error"]
        assert sha256(disk) == before
        # the export was stopped after the failure: tgtd no longer listens
        with socket.socket() as s, pytest.raises(ConnectionRefusedError):
            s.connect(("127.0.0.1", iscsi_ironic.portal_port))
        assert proc.poll() is None  # the agent itself keeps running
    finally:
        stop_agent(proc)


def test_validate_requires_checksum_for_file_images(iscsi_ironic, tmp_path):
    image = raw_image(tmp_path, MiB)
    uuid, _ = available_node(iscsi_ironic.url, {"image_source": image.as_uri()})
    deadline = time.monotonic() + 10
    while True:
        v = requests.get(f"{iscsi_ironic.url}/v1/nodes/{uuid}/validate", headers=API,
                         timeout=30).json()
        if v["deploy"]["result"] is not None or time.monotonic() > deadline:
            break
    assert v["deploy"]["result"] is False
    assert "checksum" in v["deploy"]["reason"]


def test_qcow2_whole_disk_is_converted_on_the_way(iscsi_ironic, tmp_path):
    raw, disk = raw_image(tmp_path), blank_disk(tmp_path)
    qcow2 = tmp_path / "image.qcow2"
    disk_images.to_qcow2(raw, qcow2)
    deploy(iscsi_ironic, tmp_path, {"image_source": qcow2.as_uri(),
                                     "image_checksum": "sha256:" + sha256(qcow2)}, disk)
    assert sha256(disk, raw.stat().st_size) == sha256(raw)


def _partitions(disk: Path) -> list[tuple[int, int, int]]:
    """(number, start, size) in bytes, from ``parted -m``."""
    out = subprocess.run(["parted", "-s", "-m", str(disk), "unit", "B", "print"],
                         check=True, capture_output=True, text=True, timeout=30).stdout
    parts = []
    for line in out.splitlines():
        fields = line.rstrip(";").split(":")
        if fields[0].isdigit():
            parts.append((int(fields[0]), int(fields[1].rstrip("B")),
                          int(fields[3].rstrip("B"))))
    return parts


def test_partition_image_with_swap_and_configdrive(iscsi_ironic, tmp_path):
    root_uuid = "5f1d3c2e-7a0b-4c9d-8e6f-1a2b3c4d5e6f"
    root = disk_images.ext4(tmp_path / "root.img", 4 * MiB, root_uuid)
    disk = blank_disk(tmp_path, 160 * MiB)
    drive = b"config-drive-content" + os.urandom(4096)
    configdrive = base64.b64encode(gzip.compress(drive)).decode()
    kernel = tmp_path / "vmlinuz"
    kernel.write_bytes(b"k")
    node = deploy(iscsi_ironic, tmp_path, {
        "image_source": root.as_uri(), "image_os_hash_algo": "sha256",
        "image_os_hash_value": sha256(root), "kernel": kernel.as_uri(),
        "ramdisk": kernel.as_uri(), "swap_mb": 8}, disk, configdrive)
    assert node["driver_internal_info"]["root_uuid_or_disk_id"] == root_uuid
    parts = _partitions(disk)  # BIOS boot mode, msdos label: swap, config drive, root
    assert len(parts) == 3, parts
    (_, swap_at, swap_size), (_, cd_at, _), (_, root_at, _) = parts
    assert swap_size == 8 * MiB
    with open(disk, "rb") as f:
        f.seek(swap_at + 4096 - 10)
        assert f.read(10) == b"SWAPSPACE2"
        f.seek(cd_at)
        assert f.read(len(drive)) == drive
        f.seek(root_at)
        assert hashlib.sha256(f.read(root.stat().st_size)).hexdigest() == sha256(root)


def test_disk_smaller_than_image_fails_naming_sizes(iscsi_ironic, tmp_path):
    image, disk = raw_image(tmp_path, 4 * MiB), blank_disk(tmp_path, 2 * MiB)
    uuid, mac = available_node(iscsi_ironic.url, {
        "image_source": image.as_uri(), "image_checksum": sha256(image)})
    set_provision(iscsi_ironic.url, uuid, "active")
    proc, _ = start_agent(iscsi_ironic, mac, disk, tmp_path)
    try:
        node = wait_state(iscsi_ironic.url, uuid, "deploy failed", 120)
        assert "needs 4194304 bytes" in node["last_error"], node["last_error"]
        assert sha256(disk) == hashlib.sha256(bytes(2 * MiB)).hexdigest()
    finally:
        stop_agent(proc)


def _writer_processes(iqn_part: str) -> list:
    import psutil

    found = []
    for proc in psutil.process_iter(["cmdline"]):
        argv = proc.info["cmdline"] or []
        if argv[:2] == ["qemu-img", "convert"] and any(iqn_part in a for a in argv):
            found.append(proc)
    return found


def test_ramdisk_dying_mid_write_fails_the_deploy(iscsi_ironic, tmp_path):
    """The agent and its tgtd are killed during qemu-img's write: deploy failed naming
    the stall, the writer gone (its iSCSI session closed), no hang."""
    import psutil

    image, disk = raw_image(tmp_path, 512 * MiB), blank_disk(tmp_path, 640 * MiB)
    uuid, mac = available_node(iscsi_ironic.url, {
        "image_source": image.as_uri(), "image_os_hash_algo": "sha256",
        "image_os_hash_value": sha256(image)})
    set_provision(iscsi_ironic.url, uuid, "active")
    proc, _ = start_agent(iscsi_ironic, mac, disk, tmp_path)
    try:
        wait_for(lambda: _writer_processes(uuid), timeout=90, interval=0.02,
                 what="qemu-img convert writing to the node")
        # mid-write, not mid-login: data has reached the (sparse) disk file
        wait_for(lambda: disk.stat().st_blocks * 512 >= 8 * MiB, timeout=30, interval=0.005,
                 what="the first MiBs of the image on the node's disk")
        agent = psutil.Process(proc.pid)
        victims = [agent, *agent.children(recursive=True)]
        assert any(v.name() == "tgtd" for v in victims), victims
        for victim in victims:  # the ramdisk dies: agent and tgtd at once
            victim.kill()
        node = wait_state(iscsi_ironic.url, uuid, "deploy failed", 60)
        # ended by the writer's stall detection, not by some later timeout
        assert "no progress for 5s" in node["last_error"], node["last_error"]
        assert uuid in node["last_error"]  # the IQN names the node
        assert not _writer_processes(uuid)
        port = iscsi_ironic.portal_port
        assert not [c for c in psutil.net_connections("tcp")
                    if c.raddr and c.raddr.port == port and c.status == "ESTABLISHED"]
    finally:
        stop_agent(proc)
        for victim in psutil.process_iter(["cmdline"]):  # a tgtd that outlived the test
            if f"portal=127.0.0.1:{iscsi_ironic.portal_port}" in " ".join(
                    victim.info["cmdline"] or []):
                victim.kill()
