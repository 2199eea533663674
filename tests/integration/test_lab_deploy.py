"""Deploy in the lab through PXE with the ``iscsi`` deploy interface, end to end.

Two lab nodes are enrolled (manage, provide: the lab's Ironic has automated cleaning
off) and get a generated raw whole-disk image with ``PUT .../states/provision
{"target": "active"}``. Ironic's ``pxe`` interface writes the deploy ramdisk's PXE
config, the firmware emulation PXE-boots and starts ``ironic-tripleo-ramdisk deploy``
in the node's namespace (its tgtd exports the node's disk file on the node's DHCP
address), and the conductor writes the image from the lab's data-plane namespace.
Then: ``active``, boot device disk, powered on, the firmware booting from disk, and
the disk file holding the image.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ironic_tripleo.lab.lab import running_lab
from ironic_tripleo.lab.node import NodeSpec
from tests.harness.disk_images import MiB
from tests.harness.lab_deploy import (
    check_deployed,
    enroll_available,
    lab_image,
    start_deploy,
    undeploy,
    wait_active,
)

SPECS = [NodeSpec(name="d0", cpus=2, memory_mb=2048, disk_gb=1),
         NodeSpec(name="d1", cpus=2, memory_mb=2048, disk_gb=1)]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A two-node lab with both nodes enrolled and ``available``."""
    with running_lab(tmp_path_factory.mktemp("lab"), SPECS, subnet="auto") as lab:
        yield lab, enroll_available(lab)


def test_deploy_one_node_through_pxe(lab):
    lab, bm = lab
    image = lab_image(lab, "one.raw", 24 * MiB)
    start_deploy(lab, "d0", image)
    wait_active(lab, bm, ["d0"])
    check_deployed(lab, bm, 0, image)
    assert bm.get_node("d1").provision_state == "available"
    log = (Path(lab["ironic"]["workdir"]) / "ironic.log").read_text(errors="replace")
    assert "iqn.2026-11.org.openstack.ironic-tripleo:" + bm.get_node("d0").id in log
    undeploy(lab, bm, ["d0"])


def test_two_parallel_deploys(lab):
    lab, bm = lab
    images = [lab_image(lab, f"par{i}.raw", 32 * MiB) for i in range(2)]
    for spec, image in zip(lab["nodes"], images, strict=True):
        start_deploy(lab, spec["name"], image)
    wait_active(lab, bm, [n["name"] for n in lab["nodes"]], timeout=180)
    for index, image in enumerate(images):
        check_deployed(lab, bm, index, image)

