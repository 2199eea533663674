"""The whole story on a qemu VM: enroll, introspect, match, deploy, boot the disk.

One VM lab node (``--node-kind vm``) PXE-boots the built ramdisk (``built_ramdisk``)
through the real chain: dnsmasq DHCP, the NIC's iPXE ROM, Debian's pxelinux, the
pxelinux config Ironic's ``pxe`` boot interface wrote. Introspection goes through
Ironic's ``discoverd`` inspect interface: the facts must be the VM's own (CPU count,
memory, disk size and serial, MAC, DMI serial from qemu's command line) with no lab
overlay on the kernel command line. ``ahc-match`` gives the node a profile from
those facts. The deploy uses the ``iscsi`` deploy interface: the ramdisk's tgtd
exports the VM's own disk and the conductor writes the marker image into it over
the lab bridge; the node then boots from disk, and the marker image's line shows
on its serial console.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest
import requests

from ahc_rules.cli import match as ahc_match
from ahc_rules.ironic import node_profile
from baremetal_common.cloud import connect
from ironic_tripleo.enroll.enroll import enroll
from ironic_tripleo.enroll.inventory import validate
from ironic_tripleo.lab.lab import running_lab
from ironic_tripleo.lab.node import NodeSpec
from tests.harness.built_ramdisk import built_ramdisk  # noqa: F401 - fixture
from tests.harness.vm_nodes import (  # noqa: F401 - fixtures
    MARKER,
    console,
    marker_image_files,
    vm_kernel,
    wait_console,
)
from tests.harness.waiting import wait_for

HEADERS = {"X-OpenStack-Ironic-API-Version": "latest"}
MiB, GiB = 1024 ** 2, 1024 ** 3
# 512 MiB: the floor, which holds only if Ironic serves the ramdisk still compressed
# (it unpacks zstd files unless told not to). 5 GiB: no default has it.
SPEC = NodeSpec(name="vm-story", cpus=1, memory_mb=512, disk_gb=5)
RULES = {
    "state": "[('storage-vm', '1')]\n",
    "storage-vm.specs": "[('disk', '$disk', 'size', 'ge(5)'),\n"
                        " ('memory', 'total', 'size', 'ge(500000000)')]\n",
}


def _dump(lab: dict, bm) -> None:
    for n in lab["nodes"]:
        print(n["name"], console(n)[-4000:])
    print([(n.name, n.provision_state, n.last_error) for n in bm.nodes(details=True)])
    log = Path(lab["ironic"]["workdir"]) / "ironic.log"
    print("\n".join(log.read_text(errors="replace").splitlines()[-40:]))


def _provision(lab: dict, target: str) -> None:
    r = requests.put(f"{lab['ironic_url']}/v1/nodes/{SPEC.name}/states/provision",
                     headers=HEADERS, json={"target": target}, timeout=30)
    assert r.status_code == 202, r.text


def _wait_state(lab: dict, bm, wanted: str, failed: str, timeout: float):
    def done():
        node = bm.get_node(SPEC.name)
        if node.provision_state == failed:
            raise AssertionError(f"{failed}: {node.last_error}")
        return node if node.provision_state == wanted else None
    try:
        return wait_for(done, timeout, 1, what=f"{SPEC.name} {wanted}")
    except (TimeoutError, AssertionError):
        _dump(lab, bm)
        raise


@pytest.fixture(scope="module")
def vm_lab(tmp_path_factory, built_ramdisk):  # noqa: F811
    with running_lab(tmp_path_factory.mktemp("vmstory"), [SPEC], subnet="auto",
                     node_kind="vm", ramdisk=(built_ramdisk.kernel, built_ramdisk.initramfs),
                     accel="auto") as lab:
        entries = json.loads(Path(lab["instackenv"]).read_text())["nodes"]
        for entry in entries:  # sizes must come from introspection
            for key in ("cpu", "memory", "disk"):
                entry.pop(key)
        bm = connect(lab["ironic_url"]).baremetal
        enroll(bm, validate({"nodes": entries}), manage=True, timeout=60)
        yield lab, bm


@pytest.fixture(scope="module")
def inspected(vm_lab):
    lab, bm = vm_lab
    started = time.monotonic()
    _provision(lab, "inspect")
    node = _wait_state(lab, bm, "manageable", "inspect failed", 300)
    print(f"introspection of a VM through Ironic: {time.monotonic() - started:.0f} s")
    return lab, bm, node


def test_introspection_finds_the_vms_own_hardware(inspected):
    lab, bm, node = inspected
    spec = lab["nodes"][0]
    assert node.last_error is None
    assert node.properties["cpus"] == SPEC.cpus
    assert node.properties["memory_mb"] == SPEC.memory_mb
    assert node.properties["local_gb"] == SPEC.disk_gb - 1
    data = requests.get(f"{lab['discoverd_url']}/v1/introspection/{node.id}/data",
                        timeout=10).json()
    inventory = data["inventory"]
    disks = {d["name"]: d for d in inventory["disks"]}
    assert disks["/dev/vda"]["size"] == SPEC.disk_gb * GiB
    assert disks["/dev/vda"]["serial"] == spec["vm"]["disks"][0]["serial"]
    assert inventory["system_vendor"]["serial_number"] == spec["vm"]["smbios"]["serial"]
    assert inventory["system_vendor"]["manufacturer"] == "ironic-tripleo"
    assert spec["mac"] in [i["mac_address"] for i in inventory["interfaces"]]
    assert data["boot_interface"] in (spec["mac"], "01-" + spec["mac"].replace(":", "-"))
    # No lab overlay: the kernel command line (printed by the kernel) is Ironic's.
    text = console(spec)
    assert f"ipa-inspection-callback-url={lab['discoverd_url']}/v1/continue" in text
    assert "tripleo-lab-hardware" not in text


def test_ahc_match_gives_the_profile(inspected, tmp_path):
    lab, bm, node = inspected
    rules = tmp_path / "rules"
    rules.mkdir()
    for name, text in RULES.items():
        (rules / name).write_text(text)
    assert ahc_match.main(["--rules", str(rules), "--ironic-url", lab["ironic_url"],
                           "--emit", str(tmp_path / "emit")]) == 0
    assert node_profile(bm.get_node(SPEC.name)) == "storage-vm"


def test_deploy_with_iscsi_then_the_disk_boots(inspected, marker_image_files):  # noqa: F811
    lab, bm, _ = inspected
    spec = lab["nodes"][0]
    image = Path(lab["boot"]["images"]) / "marker.raw"
    image.write_bytes(marker_image_files.disk.read_bytes())
    digest = hashlib.sha256(image.read_bytes()).hexdigest()
    _provision(lab, "provide")
    _wait_state(lab, bm, "available", "clean failed", 60)
    r = requests.patch(f"{lab['ironic_url']}/v1/nodes/{SPEC.name}", headers=HEADERS, json=[
        {"op": "add", "path": "/instance_info", "value": {
            "image_source": image.as_uri(), "image_os_hash_algo": "sha256",
            "image_os_hash_value": digest, "image_type": "whole-disk"}}], timeout=30)
    assert r.status_code == 200, r.text
    before = console(spec).count(MARKER)
    started = time.monotonic()
    _provision(lab, "active")
    node = _wait_state(lab, bm, "active", "deploy failed", 400)
    print(f"deploy of a VM through Ironic: {time.monotonic() - started:.0f} s")
    assert node.power_state == "power on"
    with open(spec["disk"], "rb") as disk:
        assert hashlib.sha256(disk.read(image.stat().st_size)).hexdigest() == digest
    wait_console(spec, MARKER, before + 1, timeout=120)
    boot = json.loads(Path(spec["node_dir"], "last_boot.json").read_text())
    assert boot["device"] == "disk"
    # The deploy ramdisk's tgtd exported the VM's own disk to the conductor.
    assert f"iscsi_target: target iqn.2026-11.org.openstack.ironic-tripleo:{node.id}" in \
        console(spec)
