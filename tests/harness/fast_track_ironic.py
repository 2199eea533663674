"""A real Ironic 39 on fake interfaces with fast track, for the deploy agent's tests.

``fast_track_ironic`` (one per test module): lookup works on an enrolled node;
``node_with_port`` enrolls a ``fake-hardware`` node with a random MAC;
``token_from_db`` reads the agent token Ironic stored (its API masks it).
"""

import json
import os
import sqlite3

import pytest
import requests

API = {"X-OpenStack-Ironic-API-Version": "latest"}


@pytest.fixture(scope="module")
def fast_track_ironic(tmp_path_factory):
    """Ironic with fake interfaces and fast track, so that lookup works in ``enroll``;
    one per test module (each test enrolls its own node)."""
    from ironic_tripleo.lab.ironic_service import IronicConfig, IronicService
    from tests.harness.ports import free_port

    service = IronicService(IronicConfig(
        workdir=tmp_path_factory.mktemp("ironic"), port=free_port(),
        hardware_types=("fake-hardware",), power_interfaces=("fake",),
        management_interfaces=("fake",), boot_interfaces=("fake",),
        deploy_interfaces=("fake",), inspect_interfaces=("no-inspect",),
        vendor_interfaces=("no-vendor",), extra={"deploy": {"fast_track": "true"}}))
    service.start()
    yield service
    service.stop()


def node_with_port(url: str) -> tuple[str, str]:
    mac = "52:54:00:" + ":".join(os.urandom(3).hex()[i:i + 2] for i in (0, 2, 4))
    node = requests.post(f"{url}/v1/nodes", headers=API, timeout=30, json={
        "driver": "fake-hardware", "properties": {"root_device": {"size": ">= 0"}}}).json()
    r = requests.post(f"{url}/v1/ports", headers=API, timeout=30,
                      json={"node_uuid": node["uuid"], "address": mac})
    assert r.status_code == 201, r.text
    return node["uuid"], mac


def token_from_db(service, uuid: str) -> str:
    """The agent token as Ironic stored it (the API masks it)."""
    with sqlite3.connect(service.workdir / "ironic.sqlite") as db:
        row = db.execute("SELECT driver_internal_info FROM nodes WHERE uuid = ?",
                         (uuid,)).fetchone()
    return json.loads(row[0]).get("agent_secret_token", "")
