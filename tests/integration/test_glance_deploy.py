"""The ``iscsi`` deploy interface with Glance images: a real Glance, a real Ironic.

Glance (PyPI ``glance``, in ``.venv-glance``, see ``tests.harness.glance_server``) and Ironic run on
free loopback ports; Ironic reaches Glance through its own image service
(``[glance]`` with ``auth_type = none``). The image is uploaded through Glance's v2
API, which computes its ``os_hash_algo``/``os_hash_value``: the tests give no checksum,
so the deploy can only verify the bytes against what Glance recorded.
"""

from __future__ import annotations

import hashlib
import struct
import uuid
from pathlib import Path

import pytest

from tests.harness.disk_images import MiB
from tests.harness.glance_server import glance  # noqa: F401 - fixture
from tests.harness.iscsi_deploy import (
    MBR_SIGNATURE,
    available_node,
    blank_disk,
    deploy,
    provision,
    raw_image,
    sha256,
    start_agent,
    start_iscsi_ironic,
    stop_agent,
)


def _partitioned_image(tmp_path: Path, size: int = 4 * MiB) -> bytes:
    """``raw_image``'s bytes with a real MBR partition table: one Linux partition from
    1 MiB to the end (Glance's format safety check refuses a raw disk image whose
    partition entries are garbage)."""
    data = bytearray(raw_image(tmp_path, size).read_bytes())
    sectors = size // 512
    entry = struct.pack("<B3BB3BII", 0x80, 0, 0, 0, 0x83, 0, 0, 0, 2048, sectors - 2048)
    data[446:510] = entry + bytes(48)
    return bytes(data)


@pytest.fixture(scope="module")
def glance_ironic(glance, tmp_path_factory):  # noqa: F811
    """Ironic deploying through ``iscsi``, its ``[glance]`` pointing at ``glance``;
    one for the module, its image cache in ``.cache_dir``."""
    cache_dir = tmp_path_factory.mktemp("cache")
    service = start_iscsi_ironic(tmp_path_factory.mktemp("ironic"), cache_dir,
                                 glance_url=glance.url)
    service.cache_dir = cache_dir
    yield service
    service.stop()


def test_glance_whole_disk_image_deploys_to_active(glance, glance_ironic, tmp_path):  # noqa: F811
    data, disk = _partitioned_image(tmp_path), blank_disk(tmp_path)
    uploaded = glance.create_image(data)
    assert uploaded["status"] == "active"
    algo, value = uploaded["os_hash_algo"], uploaded["os_hash_value"]
    assert value == hashlib.new(algo, data).hexdigest()

    node = deploy(glance_ironic, tmp_path, {"image_source": uploaded["id"]}, disk)

    assert node["power_state"] == "power on" and not node["last_error"]
    assert sha256(disk, len(data)) == hashlib.sha256(data).hexdigest()
    assert node["driver_internal_info"]["root_uuid_or_disk_id"] == MBR_SIGNATURE
    # verified against Glance's own hash: the cache stores images by that digest
    assert (glance_ironic.cache_dir / f"{algo}-{value}").exists()


def test_unknown_glance_image_fails_the_deploy_naming_it(glance_ironic, tmp_path):
    missing = str(uuid.uuid4())
    disk = blank_disk(tmp_path, 8 * MiB)
    before = sha256(disk)
    node_uuid, mac = available_node(glance_ironic.url, {"image_source": missing})
    proc, _ = start_agent(glance_ironic, mac, disk, tmp_path)  # it retries its lookup
    try:
        node = provision(glance_ironic.url, node_uuid, "active", "deploy failed", 120)
    finally:
        stop_agent(proc)
    assert f"Cannot fetch image {missing}: Image {missing} could not be found" in \
        node["last_error"], node["last_error"]
    assert sha256(disk) == before
