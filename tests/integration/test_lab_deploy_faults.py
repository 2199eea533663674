"""Deploy failures in the lab that only a real network shows: a node whose firewall
drops the iSCSI portal (the target never appears to the conductor) or the agent's
command port (the agent is unreachable, though it heartbeats). Each must end in
``deploy failed`` with a last_error naming the cause, with nothing written, and the
node must be deployable again once the network is fixed.

The firewall is an nftables table in the node's own namespace (created by the lab).
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ironic_tripleo.lab.lab import running_lab
from ironic_tripleo.lab.node import NodeSpec
from tests.harness.disk_images import MiB
from tests.harness.lab_deploy import (
    check_deployed,
    dump_lab,
    enroll_available,
    lab_image,
    sha256,
    start_deploy,
    undeploy,
    wait_active,
)
from tests.harness.waiting import wait_for

pytestmark = pytest.mark.skipif(not shutil.which("nft"), reason="needs nft (make system)")

PORTAL_PORT = 3260  # [tripleo_deploy] iscsi_portal_port default
AGENT_PORT = 9999   # the deploy ramdisk's command API default
TIMEOUT = 8         # target_wait_timeout and agent_command_timeout in this lab


def nft(namespace: str, *args: str) -> None:
    subprocess.run(["ip", "netns", "exec", namespace, "nft", *args], check=True,
                   capture_output=True, timeout=10)


@contextlib.contextmanager
def dropped(namespace: str, port: int) -> Iterator[None]:
    """Drop TCP packets to ``port`` arriving in ``namespace`` for the ``with`` block."""
    table = f"fault{secrets.token_hex(3)}"
    nft(namespace, "add", "table", "inet", table)
    try:
        nft(namespace, "add", "chain", "inet", table, "input",
            "{ type filter hook input priority 0 ; }")
        nft(namespace, "add", "rule", "inet", table, "input", "tcp", "dport", str(port),
            "drop")
        yield
    finally:
        nft(namespace, "delete", "table", "inet", table)


def listening(namespace: str, port: int) -> bool:
    out = subprocess.run(["ip", "netns", "exec", namespace, "ss", "-Hltn",
                          f"sport = :{port}"], capture_output=True, text=True, timeout=10,
                         check=True).stdout
    return bool(out.strip())


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A one-node lab, enrolled and ``available``, with short deploy timeouts."""
    overrides = {"extra": {"tripleo_deploy": {"target_wait_timeout": str(TIMEOUT),
                                              "agent_command_timeout": str(TIMEOUT)}}}
    with running_lab(tmp_path_factory.mktemp("lab"), [NodeSpec(name="f0", disk_gb=1)],
                     subnet="auto", ironic_overrides=overrides) as lab:
        yield lab, enroll_available(lab)


def _deploy_fails(lab: dict, bm, image: Path) -> str:
    """Start a deploy of ``image`` to f0; return the last_error it fails with."""
    start_deploy(lab, "f0", image)

    def failed():
        node = bm.get_node("f0")
        assert node.provision_state != "active", "deployed through a dropped port"
        return node.provision_state == "deploy failed"
    try:
        wait_for(failed, 120, 0.5, what="f0 deploy failed")
    except (TimeoutError, AssertionError):
        dump_lab(lab, bm)
        raise
    return bm.get_node("f0").last_error


def test_target_never_appears(lab):
    lab, bm = lab
    spec = lab["nodes"][0]
    image = lab_image(lab, "fw-portal.raw", 4 * MiB)
    before = sha256(spec["disk"], 8 * MiB)
    with dropped(spec["namespace"], PORTAL_PORT):
        error = _deploy_fails(lab, bm, image)
    assert "iSCSI target iqn.2026-11.org.openstack.ironic-tripleo:" in error, error
    assert f"did not answer within {TIMEOUT}s" in error, error
    assert sha256(spec["disk"], 8 * MiB) == before
    # the conductor told the agent to stop the export (its command port was open)
    assert not listening(spec["namespace"], PORTAL_PORT)
    undeploy(lab, bm, ["f0"])


def test_agent_unreachable_then_fixed(lab):
    lab, bm = lab
    spec = lab["nodes"][0]
    image = lab_image(lab, "fw-agent.raw", 4 * MiB)
    before = sha256(spec["disk"], 8 * MiB)
    with dropped(spec["namespace"], AGENT_PORT):
        error = _deploy_fails(lab, bm, image)
    assert "command start_iscsi_target failed: agent unreachable" in error, error
    assert f":{AGENT_PORT}" in error, error  # the agent's URL
    assert sha256(spec["disk"], 8 * MiB) == before
    undeploy(lab, bm, ["f0"])

    # the network fixed, the same node deploys
    start_deploy(lab, "f0", image)
    wait_active(lab, bm, ["f0"])
    check_deployed(lab, bm, 0, image)
    undeploy(lab, bm, ["f0"])
