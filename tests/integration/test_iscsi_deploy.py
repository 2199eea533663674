"""The ``iscsi`` deploy interface in a real Ironic 39 with a real deploy agent.

Ironic (API + conductor) and the agent both run in the root namespace on 127.0.0.1:
lookup/heartbeat go to Ironic's loopback API, the conductor calls the agent's command
API and writes through the agent's tgtd portal on loopback (userspace initiator).
No client here ever reaches into a namespace address. Ports, IQNs and tgtd control
ports are fresh for every test.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.harness import disk_images
from tests.harness.iscsi_target import require_tgt
from tests.netutil import free_port, wait_for

API = {"X-OpenStack-Ironic-API-Version": "latest"}
MiB = 1024 * 1024


def start_iscsi_ironic(workdir: Path, cache_dir: Path, **overrides):
    """Start Ironic with ``fake-tripleo`` nodes on fake power/management/boot, deploy
    iscsi; return the started ``IronicService`` (the caller stops it).

    Not ``ironic_factory``: the agent options need Ironic's own URL
    (``[service_catalog]endpoint_override``), so the port is chosen here.
    ``overrides`` are more ``IronicConfig`` fields (``glance_url``, ...).
    """
    from ironic_tripleo.lab.ironic_service import IronicConfig, IronicService

    require_tgt()
    port, portal_port = free_port(), free_port()
    service = IronicService(IronicConfig(
        workdir=workdir, port=port,
        hardware_types=("fake-tripleo",), power_interfaces=("fake",),
        management_interfaces=("fake",), boot_interfaces=("fake",),
        deploy_interfaces=("iscsi",), inspect_interfaces=("no-inspect",),
        vendor_interfaces=("no-vendor",),
        extra={"service_catalog": {"endpoint_override": f"http://127.0.0.1:{port}"},
               "tripleo_deploy": {"iscsi_portal_port": str(portal_port),
                                  "image_cache_dir": str(cache_dir),
                                  "writer": "userspace", "target_wait_timeout": "20",
                                  "write_stall_timeout": "5"}},
        **overrides))
    service.start()
    service.portal_port = portal_port  # the agent's tgtd listens here during a write
    return service


@pytest.fixture
def iscsi_ironic(tmp_path_factory, tmp_path):
    """Ironic whose nodes deploy through ``iscsi`` (see ``start_iscsi_ironic``)."""
    service = start_iscsi_ironic(tmp_path_factory.mktemp("ironic"), tmp_path / "cache")
    yield service
    service.stop()


def _sha256(path: Path, length: int | None = None) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        digest.update(f.read(length) if length is not None else f.read())
    return digest.hexdigest()


def _set_provision(url: str, uuid: str, target: str, **body: object) -> None:
    """Ask Ironic for provision ``target`` (with ``body`` fields, e.g. configdrive)."""
    r = requests.put(f"{url}/v1/nodes/{uuid}/states/provision", headers=API, timeout=30,
                     json={"target": target, **body})
    assert r.status_code == 202, r.text


def _provision(url: str, uuid: str, target: str, want: str, timeout: float = 60.0) -> dict:
    _set_provision(url, uuid, target)
    return _wait_state(url, uuid, want, timeout)


def _wait_state(url: str, uuid: str, want: str, timeout: float) -> dict:
    def reached():
        node = requests.get(f"{url}/v1/nodes/{uuid}", headers=API, timeout=30).json()
        return node if node["provision_state"] == want else None
    try:
        return wait_for(reached, timeout=timeout, interval=0.3, what=f"node in {want}")
    except TimeoutError:
        node = requests.get(f"{url}/v1/nodes/{uuid}", headers=API, timeout=30).json()
        raise AssertionError(f"node is {node['provision_state']}, not {want}: "
                             f"{node['last_error']}") from None


def _available_node(url: str, instance_info: dict) -> tuple[str, str]:
    mac = "52:54:00:" + ":".join(os.urandom(3).hex()[i:i + 2] for i in (0, 2, 4))
    r = requests.post(f"{url}/v1/nodes", headers=API, timeout=30, json={
        "driver": "fake-tripleo", "power_interface": "fake", "management_interface": "fake",
        "boot_interface": "fake", "deploy_interface": "iscsi",
        "properties": {}})
    assert r.status_code == 201, r.text
    uuid = r.json()["uuid"]
    r = requests.post(f"{url}/v1/ports", headers=API, timeout=30,
                      json={"node_uuid": uuid, "address": mac})
    assert r.status_code == 201, r.text
    _provision(url, uuid, "manage", "manageable")
    _provision(url, uuid, "provide", "available")
    patch = [{"op": "add", "path": f"/instance_info/{k}", "value": v}
             for k, v in instance_info.items()]
    r = requests.patch(f"{url}/v1/nodes/{uuid}", headers=API, timeout=30, json=patch)
    assert r.status_code == 200, r.text
    return uuid, mac


def _start_agent(service, mac: str, disk: Path, tmp_path: Path) -> tuple[subprocess.Popen, int]:
    cmdline = tmp_path / f"cmdline-{mac[-2:]}"
    cmdline.write_text(f"ipa-api-url={service.url} BOOTIF=01-{mac.replace(':', '-')}\n")
    port = free_port()
    log = open(tmp_path / f"agent-{port}.log", "wb")  # noqa: SIM115 - closed below
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ramdisk.cmd", "deploy", "--cmdline", str(cmdline),
             "--listen", "127.0.0.1", "--port", str(port), "--advertise-address", "127.0.0.1",
             "--disk", str(disk), "--heartbeat-interval", "0.5", "--poweroff-command", "true",
             "--lookup-timeout", "60"], stderr=log, cwd=os.getcwd(),
            env={**os.environ, "IRONIC_TRIPLEO_LAB_NODE": "1"})  # --disk is lab-only
    finally:
        log.close()
    return proc, port


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


MBR_SIGNATURE = "0x0badcafe"


def _raw_image(tmp_path: Path, size: int = 4 * MiB) -> Path:
    """Random content behind a boot sector carrying ``MBR_SIGNATURE``."""
    data = bytearray(b"whole-disk-image" + os.urandom(size - 16))
    data[440:444] = int(MBR_SIGNATURE, 16).to_bytes(4, "little")
    data[510:512] = b"\x55\xaa"
    image = tmp_path / "image.raw"
    image.write_bytes(bytes(data))
    return image


def _disk(tmp_path: Path, size: int = 64 * MiB) -> Path:
    disk = tmp_path / "node-disk.img"
    with open(disk, "wb") as f:
        f.truncate(size)
    return disk


def test_whole_disk_raw_deploy_to_active(iscsi_ironic, tmp_path):
    image, disk = _raw_image(tmp_path), _disk(tmp_path)
    uuid, mac = _available_node(iscsi_ironic.url, {
        "image_source": image.as_uri(), "image_os_hash_algo": "sha256",
        "image_os_hash_value": _sha256(image)})
    _set_provision(iscsi_ironic.url, uuid, "active")
    _wait_state(iscsi_ironic.url, uuid, "wait call-back", 60)
    proc, _ = _start_agent(iscsi_ironic, mac, disk, tmp_path)
    try:
        node = _wait_state(iscsi_ironic.url, uuid, "active", 120)
        assert node["power_state"] == "power on" and not node["last_error"]
        assert _sha256(disk, image.stat().st_size) == _sha256(image)
        assert node["driver_internal_info"]["root_uuid_or_disk_id"] == MBR_SIGNATURE
        assert proc.wait(timeout=30) == 0  # the agent powered off (tear_down_agent)
    finally:
        _stop(proc)
    log = (iscsi_ironic.workdir / "ironic.log").read_text()
    assert "iqn.2026-11.org.openstack.ironic-tripleo:" + uuid in log


def test_bad_checksum_fails_and_leaves_disk_untouched(iscsi_ironic, tmp_path):
    image, disk = _raw_image(tmp_path), _disk(tmp_path)
    before = _sha256(disk)
    uuid, mac = _available_node(iscsi_ironic.url, {
        "image_source": image.as_uri(), "image_os_hash_algo": "sha256",
        "image_os_hash_value": "0" * 64})
    _set_provision(iscsi_ironic.url, uuid, "active")
    proc, port = _start_agent(iscsi_ironic, mac, disk, tmp_path)
    try:
        node = _wait_state(iscsi_ironic.url, uuid, "deploy failed", 120)
        assert "failed verification" in node["last_error"], node["last_error"]
        assert _sha256(disk) == before
        # the export was stopped after the failure: tgtd no longer listens
        with socket.socket() as s, pytest.raises(ConnectionRefusedError):
            s.connect(("127.0.0.1", iscsi_ironic.portal_port))
        assert proc.poll() is None  # the agent itself keeps running
    finally:
        _stop(proc)


def test_validate_requires_checksum_for_file_images(iscsi_ironic, tmp_path):
    image = _raw_image(tmp_path, MiB)
    uuid, _ = _available_node(iscsi_ironic.url, {"image_source": image.as_uri()})
    deadline = time.monotonic() + 10
    while True:
        v = requests.get(f"{iscsi_ironic.url}/v1/nodes/{uuid}/validate", headers=API,
                         timeout=30).json()
        if v["deploy"]["result"] is not None or time.monotonic() > deadline:
            break
    assert v["deploy"]["result"] is False
    assert "checksum" in v["deploy"]["reason"]


def _deploy(service, tmp_path: Path, instance_info: dict, disk: Path,
            configdrive: str | None = None) -> dict:
    """Deploy an available node with ``instance_info`` onto ``disk``; return the node."""
    uuid, mac = _available_node(service.url, instance_info)
    _set_provision(service.url, uuid, "active",
                   **({"configdrive": configdrive} if configdrive else {}))
    proc, _ = _start_agent(service, mac, disk, tmp_path)
    try:
        return _wait_state(service.url, uuid, "active", 120)
    finally:
        _stop(proc)


def test_qcow2_whole_disk_is_converted_on_the_way(iscsi_ironic, tmp_path):
    raw, disk = _raw_image(tmp_path), _disk(tmp_path)
    qcow2 = tmp_path / "image.qcow2"
    disk_images.to_qcow2(raw, qcow2)
    _deploy(iscsi_ironic, tmp_path, {"image_source": qcow2.as_uri(),
                                     "image_checksum": "sha256:" + _sha256(qcow2)}, disk)
    assert _sha256(disk, raw.stat().st_size) == _sha256(raw)


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
    disk = _disk(tmp_path, 160 * MiB)
    drive = b"config-drive-content" + os.urandom(4096)
    configdrive = base64.b64encode(gzip.compress(drive)).decode()
    kernel = tmp_path / "vmlinuz"
    kernel.write_bytes(b"k")
    node = _deploy(iscsi_ironic, tmp_path, {
        "image_source": root.as_uri(), "image_os_hash_algo": "sha256",
        "image_os_hash_value": _sha256(root), "kernel": kernel.as_uri(),
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
        assert hashlib.sha256(f.read(root.stat().st_size)).hexdigest() == _sha256(root)


def test_disk_smaller_than_image_fails_naming_sizes(iscsi_ironic, tmp_path):
    image, disk = _raw_image(tmp_path, 4 * MiB), _disk(tmp_path, 2 * MiB)
    uuid, mac = _available_node(iscsi_ironic.url, {
        "image_source": image.as_uri(), "image_checksum": _sha256(image)})
    _set_provision(iscsi_ironic.url, uuid, "active")
    proc, _ = _start_agent(iscsi_ironic, mac, disk, tmp_path)
    try:
        node = _wait_state(iscsi_ironic.url, uuid, "deploy failed", 120)
        assert "needs 4194304 bytes" in node["last_error"], node["last_error"]
        assert _sha256(disk) == hashlib.sha256(bytes(2 * MiB)).hexdigest()
    finally:
        _stop(proc)


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

    image, disk = _raw_image(tmp_path, 512 * MiB), _disk(tmp_path, 640 * MiB)
    uuid, mac = _available_node(iscsi_ironic.url, {
        "image_source": image.as_uri(), "image_os_hash_algo": "sha256",
        "image_os_hash_value": _sha256(image)})
    _set_provision(iscsi_ironic.url, uuid, "active")
    proc, _ = _start_agent(iscsi_ironic, mac, disk, tmp_path)
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
        started = time.monotonic()
        node = _wait_state(iscsi_ironic.url, uuid, "deploy failed", 60)
        assert time.monotonic() - started < 30
        assert "no progress for 5s" in node["last_error"], node["last_error"]
        assert uuid in node["last_error"]  # the IQN names the node
        assert not _writer_processes(uuid)
        port = iscsi_ironic.portal_port
        assert not [c for c in psutil.net_connections("tcp")
                    if c.raddr and c.raddr.port == port and c.status == "ESTABLISHED"]
    finally:
        _stop(proc)
        for victim in psutil.process_iter(["cmdline"]):  # a tgtd that outlived the test
            if f"portal=127.0.0.1:{iscsi_ironic.portal_port}" in " ".join(
                    victim.info["cmdline"] or []):
                victim.kill()
