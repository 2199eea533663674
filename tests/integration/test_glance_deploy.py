"""The ``iscsi`` deploy interface with Glance images: a real Glance, a real Ironic.

Glance (PyPI ``glance``, in ``.venv-glance``, see ``glance_fixture``) and Ironic run on
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

from tests.harness.glance import glance  # noqa: F401 - fixture
from tests.integration.test_iscsi_deploy import (
    MBR_SIGNATURE,
    MiB,
    _available_node,
    _deploy,
    _disk,
    _provision,
    _raw_image,
    _sha256,
    _start_agent,
    _stop,
    start_iscsi_ironic,
)


def _partitioned_image(tmp_path: Path, size: int = 4 * MiB) -> bytes:
    """``_raw_image``'s bytes with a real MBR partition table: one Linux partition from
    1 MiB to the end (Glance's format safety check refuses a raw disk image whose
    partition entries are garbage)."""
    data = bytearray(_raw_image(tmp_path, size).read_bytes())
    sectors = size // 512
    entry = struct.pack("<B3BB3BII", 0x80, 0, 0, 0, 0x83, 0, 0, 0, 2048, sectors - 2048)
    data[446:510] = entry + bytes(48)
    return bytes(data)


@pytest.fixture
def glance_ironic(glance, tmp_path_factory, tmp_path):  # noqa: F811
    """Ironic deploying through ``iscsi``, its ``[glance]`` pointing at ``glance``."""
    service = start_iscsi_ironic(tmp_path_factory.mktemp("ironic"), tmp_path / "cache",
                                 glance_url=glance.url)
    yield service
    service.stop()


def test_glance_whole_disk_image_deploys_to_active(glance, glance_ironic, tmp_path):  # noqa: F811
    data, disk = _partitioned_image(tmp_path), _disk(tmp_path)
    uploaded = glance.create_image(data)
    assert uploaded["status"] == "active"
    algo, value = uploaded["os_hash_algo"], uploaded["os_hash_value"]
    assert value == hashlib.new(algo, data).hexdigest()

    node = _deploy(glance_ironic, tmp_path, {"image_source": uploaded["id"]}, disk)

    assert node["power_state"] == "power on" and not node["last_error"]
    assert _sha256(disk, len(data)) == hashlib.sha256(data).hexdigest()
    assert node["driver_internal_info"]["root_uuid_or_disk_id"] == MBR_SIGNATURE
    # verified against Glance's own hash: the cache stores images by that digest
    assert (tmp_path / "cache" / f"{algo}-{value}").exists()


def test_unknown_glance_image_fails_the_deploy_naming_it(glance_ironic, tmp_path):
    missing = str(uuid.uuid4())
    disk = _disk(tmp_path, 8 * MiB)
    before = _sha256(disk)
    node_uuid, mac = _available_node(glance_ironic.url, {"image_source": missing})
    proc, _ = _start_agent(glance_ironic, mac, disk, tmp_path)  # it retries its lookup
    try:
        node = _provision(glance_ironic.url, node_uuid, "active", "deploy failed", 120)
    finally:
        _stop(proc)
    assert f"Cannot fetch image {missing}: Image {missing} could not be found" in \
        node["last_error"], node["last_error"]
    assert _sha256(disk) == before
