"""Deploying through the ``iscsi`` deploy interface: a real Ironic 39 with
``fake-tripleo`` nodes and the real deploy agent on loopback.

``start_iscsi_ironic`` starts the Ironic; ``available_node``, ``deploy``,
``provision``/``wait_state`` drive a node through it; ``start_agent``/``stop_agent``
run the agent against a file as its disk; ``raw_image``, ``blank_disk``, ``sha256``
make and check what is written. Used by ``test_iscsi_deploy`` and ``test_glance_deploy``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import requests

from baremetal_common.cloud import connect
from ironic_tripleo.nodes import provision as node_provision
from tests.harness.disk_images import MiB
from tests.harness.iscsi_target import require_tgt
from tests.harness.ports import free_port
from tests.harness.waiting import wait_for

API = {"X-OpenStack-Ironic-API-Version": "latest"}


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


def sha256(path: Path, length: int | None = None) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        digest.update(f.read(length) if length is not None else f.read())
    return digest.hexdigest()


def set_provision(url: str, uuid: str, target: str, **body: object) -> None:
    """Ask Ironic for provision ``target`` (with ``body`` fields, e.g. configdrive)."""
    r = requests.put(f"{url}/v1/nodes/{uuid}/states/provision", headers=API, timeout=30,
                     json={"target": target, **body})
    assert r.status_code == 202, r.text


def provision(url: str, uuid: str, target: str, want: str, timeout: float = 60.0) -> dict:
    set_provision(url, uuid, target)
    return wait_state(url, uuid, want, timeout)


def wait_state(url: str, uuid: str, want: str, timeout: float) -> dict:
    def reached():
        node = requests.get(f"{url}/v1/nodes/{uuid}", headers=API, timeout=30).json()
        return node if node["provision_state"] == want else None
    try:
        return wait_for(reached, timeout=timeout, interval=0.3, what=f"node in {want}")
    except TimeoutError:
        node = requests.get(f"{url}/v1/nodes/{uuid}", headers=API, timeout=30).json()
        raise AssertionError(f"node is {node['provision_state']}, not {want}: "
                             f"{node['last_error']}") from None


def available_node(url: str, instance_info: dict) -> tuple[str, str]:
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
    baremetal = connect(url).baremetal
    for target in ("manage", "provide"):  # the product's one "set and wait"
        errors = node_provision.move(baremetal, [uuid], target, timeout=60)
        assert not errors, errors
    patch = [{"op": "add", "path": f"/instance_info/{k}", "value": v}
             for k, v in instance_info.items()]
    r = requests.patch(f"{url}/v1/nodes/{uuid}", headers=API, timeout=30, json=patch)
    assert r.status_code == 200, r.text
    return uuid, mac


def start_agent(service, mac: str, disk: Path, tmp_path: Path) -> tuple[subprocess.Popen, int]:
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


def stop_agent(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


MBR_SIGNATURE = "0x0badcafe"


def raw_image(tmp_path: Path, size: int = 4 * MiB) -> Path:
    """Random content behind a boot sector carrying ``MBR_SIGNATURE``."""
    data = bytearray(b"whole-disk-image" + os.urandom(size - 16))
    data[440:444] = int(MBR_SIGNATURE, 16).to_bytes(4, "little")
    data[510:512] = b"\x55\xaa"
    image = tmp_path / "image.raw"
    image.write_bytes(bytes(data))
    return image


def blank_disk(tmp_path: Path, size: int = 64 * MiB) -> Path:
    disk = tmp_path / "node-disk.img"
    with open(disk, "wb") as f:
        f.truncate(size)
    return disk


def deploy(service, tmp_path: Path, instance_info: dict, disk: Path,
            configdrive: str | None = None) -> dict:
    """Deploy an available node with ``instance_info`` onto ``disk``; return the node."""
    uuid, mac = available_node(service.url, instance_info)
    set_provision(service.url, uuid, "active",
                   **({"configdrive": configdrive} if configdrive else {}))
    proc, _ = start_agent(service, mac, disk, tmp_path)
    try:
        return wait_state(service.url, uuid, "active", 120)
    finally:
        stop_agent(proc)
