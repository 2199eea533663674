"""Deploying lab nodes through PXE and the ``iscsi`` deploy interface, step by step.

``enroll_available`` enrolls a running lab's nodes and makes them ``available``;
``lab_image`` writes a random raw whole-disk image where the lab's Ironic reads it;
``start_deploy``/``wait_active``/``undeploy`` drive nodes through Ironic's API;
``check_deployed`` asserts a node is active, powered on, booting from its disk and
holding the image; ``dump_lab`` prints consoles and Ironic's log on a failure.
Used by ``test_lab_deploy`` and ``test_lab_deploy_faults``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import requests

from baremetal_common.cloud import connect
from ironic_tripleo.enroll.enroll import enroll
from ironic_tripleo.enroll.inventory import validate
from tests.harness.disk_images import MiB
from tests.harness.waiting import wait_for

HEADERS = {"X-OpenStack-Ironic-API-Version": "latest"}

def sha256(path: Path | str, length: int | None = None) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        remaining = length if length is not None else 1 << 62
        while remaining > 0:
            chunk = f.read(min(MiB, remaining))
            if not chunk:
                break
            digest.update(chunk)
            remaining -= len(chunk)
    return digest.hexdigest()


def lab_image(lab: dict, name: str, size: int) -> Path:
    """A raw whole-disk image with random content, where the lab's Ironic may read it."""
    path = Path(lab["boot"]["images"]) / name
    with open(path, "wb") as f:
        f.write(b"lab-whole-disk-" + name.encode() + b"\0")
        f.write(os.urandom(size - f.tell()))
    return path


def dump_lab(lab: dict, bm) -> None:
    for n in lab["nodes"]:
        print(n["name"], open(f"{n['node_dir']}/console.log").read()[-3000:])
    print([(n.name, n.provision_state, n.last_error) for n in bm.nodes(details=True)])
    log = Path(lab["ironic"]["workdir"]) / "ironic.log"
    print("\n".join(log.read_text(errors="replace").splitlines()[-60:]))


def enroll_available(lab: dict):
    """Enroll every lab node, manage and provide it; return the baremetal proxy."""
    entries = json.loads(open(lab["instackenv"]).read())["nodes"]
    bm = connect(lab["ironic_url"]).baremetal
    enroll(bm, validate({"nodes": entries}), manage=True, timeout=60)
    for node in lab["nodes"]:
        r = requests.put(f"{lab['ironic_url']}/v1/nodes/{node['name']}/states/provision",
                         headers=HEADERS, json={"target": "provide"}, timeout=30)
        assert r.status_code == 202, r.text
    wait_for(lambda: all(bm.get_node(n["name"]).provision_state == "available"
                         for n in lab["nodes"]), 60, 0.5, what="nodes available")
    return bm


def start_deploy(lab: dict, name: str, image: Path) -> None:
    url = f"{lab['ironic_url']}/v1/nodes/{name}"
    patch = [{"op": "add", "path": "/instance_info", "value": {
        "image_source": image.as_uri(), "image_os_hash_algo": "sha256",
        "image_os_hash_value": sha256(image),
        # Ironic 39 crashes guessing the type of an allowed file:// image
        # (images.is_source_a_path reads .url of a str); an explicit type skips that.
        "image_type": "whole-disk"}}]
    r = requests.patch(url, headers=HEADERS, json=patch, timeout=30)
    assert r.status_code == 200, r.text
    r = requests.put(f"{url}/states/provision", headers=HEADERS, json={"target": "active"},
                     timeout=30)
    assert r.status_code == 202, r.text


def wait_active(lab: dict, bm, names: list[str], timeout: float = 120) -> None:
    def done():
        states = {bm.get_node(n).provision_state for n in names}
        if states & {"deploy failed"}:
            raise AssertionError("deploy failed")
        return states == {"active"}
    try:
        wait_for(done, timeout, 0.5, what=f"{names} active")
    except (TimeoutError, AssertionError):
        dump_lab(lab, bm)
        raise


def undeploy(lab: dict, bm, names: list[str]) -> None:
    for name in names:
        r = requests.put(f"{lab['ironic_url']}/v1/nodes/{name}/states/provision",
                         headers=HEADERS, json={"target": "deleted"}, timeout=30)
        assert r.status_code == 202, r.text
    wait_for(lambda: all(bm.get_node(n).provision_state == "available" for n in names),
             60, 0.5, what="nodes available again")


def check_deployed(lab: dict, bm, index: int, image: Path) -> None:
    spec = lab["nodes"][index]
    node = bm.get_node(spec["name"])
    assert node.provision_state == "active" and node.last_error is None
    assert node.power_state == "power on"
    assert sha256(spec["disk"], image.stat().st_size) == sha256(image)
    boot = json.loads(Path(spec["node_dir"], "boot.json").read_text())
    assert boot["persistent_device"] == "disk"
    console = Path(spec["node_dir"], "console.log").read_text()
    assert "starting the ramdisk agent: ironic-tripleo-ramdisk deploy" in console
    assert f"ipa-api-url={lab['ironic_url']}" in console
    wait_for(lambda: Path(spec["node_dir"], "console.log").read_text().rstrip()
             .endswith("booting from disk"), 20, 0.3, what="the firmware booting from disk")
