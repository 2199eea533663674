"""The overcloud template deployed by the undercloud onto a lab's nodes, for real.

The session's undercloud (``tests.harness.undercloud``) gets one more nova-compute,
``ironic.IronicDriver`` pointed at a lab this module starts under it (3 namespace
nodes, real Ironic and discoverd behind the undercloud's Keystone and in its catalog,
Ironic's ``[glance]`` on the undercloud's Glance, dnsmasq, the ``iscsi`` deploy).
The nodes are enrolled, introspected and matched by ``ahc-match --emit``
(1 control, 2 compute: resource classes and traits in Ironic, ``flavors.sh`` and
``overcloud-roles.yaml``). One stack, ``openstack stack create -t overcloud.yaml -e
overcloud-roles.yaml``, is walked through create -> scale compute 2 -> 1 -> delete;
a second stack asks for a control node while the only one is taken. The last test
checks the Keystone side: 401 without a token, the ``openstack`` CLI through the
catalog, and the restart to noauth and back (what ``undercloud up|down`` do to a lab
that was there first).
"""

from __future__ import annotations

import concurrent.futures
import json
import subprocess
import uuid

import pytest
import requests

from ahc_rules.cli import match as ahc_match
from ahc_rules.ironic import node_profile
from ironic_tripleo.cli.demo import build_image, read_marker
from ironic_tripleo.enroll.enroll import enroll
from ironic_tripleo.enroll.inventory import validate
from ironic_tripleo.lab import keystone_auth, overcloud
from ironic_tripleo.lab.lab import Lab, running_lab
from ironic_tripleo.lab.node import NodeSpec
from ironic_tripleo.lab.undercloud import nova
from tests.harness.lab_deploy import dump_lab
from tests.harness.lab_inspection import inspect_all
from tests.harness.waiting import wait_for

SPECS = [
    NodeSpec(name="ctl", cpus=2, memory_mb=6144, disk_gb=8),
    NodeSpec(name="cmp-a", cpus=2, memory_mb=2048, disk_gb=8),
    NodeSpec(name="cmp-b", cpus=2, memory_mb=2048, disk_gb=8),
]
RULES = {
    "state": "[('control', '1'), ('compute', '*')]\n",
    "control.specs": "[('memory', 'total', 'size', 'ge(4294967296)')]\n",
    "compute.specs": "[('cpu', 'logical', 'number', 'ge(1)')]\n",
}
MARKER = "overcloud image"


@pytest.fixture(scope="module")
def overcloud_lab(undercloud, tmp_path_factory):
    """A lab matched into roles, with an Ironic compute, flavors and the image."""
    work = tmp_path_factory.mktemp("overcloud")
    keystone = undercloud.launcher.keystone_for_lab()
    with running_lab(work / "lab", SPECS, subnet="auto", keystone=keystone) as lab, \
            pytest.MonkeyPatch.context() as env:
        undercloud.launcher.attach_lab(lab)
        env.setenv("OS_CLIENT_CONFIG_FILE", str(undercloud.clouds_yaml))
        bm = keystone_auth.connection(lab).baremetal
        try:
            entries = json.loads(open(lab["instackenv"]).read())["nodes"]
            for entry in entries:
                for key in ("cpu", "memory", "disk"):
                    entry.pop(key, None)
            enroll(bm, validate({"nodes": entries}), manage=True, timeout=60)
            nodes = inspect_all(lab, bm)
            assert all(n.provision_state == "manageable" for n in nodes), [
                (n.name, n.last_error) for n in nodes]
            rules = work / "rules"
            rules.mkdir()
            for name, text in RULES.items():
                (rules / name).write_text(text)
            emit = work / "emit"
            # through the catalog (OS_CLIENT_CONFIG_FILE above), with a token
            assert ahc_match.main(["--rules", str(rules), "--os-cloud", undercloud.cloud,
                                   "--emit", str(emit)]) == 0
            for node in lab["nodes"]:
                bm.set_node_provision_state(node["name"], "provide")
            wait_for(lambda: all(bm.get_node(n["name"]).provision_state == "available"
                                 for n in lab["nodes"]), 120, 0.5, what="nodes available")
            clouds = undercloud.clouds_yaml
            conn = undercloud.connection()
            # flavors.sh itself against Nova: test_undercloud (here: its calls, faster)
            flavors = overcloud.create_flavors(conn, emit / "flavors.json")
            image = work / "overcloud.raw"
            build_image(image, MARKER)
            image_id = overcloud.upload_image(conn, image, f"overcloud-{work.name[-6:]}")
            host = f"ironic-{uuid.uuid4().hex[:6]}"
            try:
                assert sorted(flavors) == ["compute", "control"]
                undercloud.add_compute(host, nova.IRONIC_DRIVER,
                                       ironic_url=lab["ironic_url"])
                # Nova's Ironic driver reports each available node to Placement
                overcloud.wait_placement(conn, len(SPECS))
                yield {"lab": lab, "bm": bm, "conn": conn, "clouds": clouds,
                       "emit": emit, "image": image_id, "work": work,
                       "keystone": keystone}
            finally:
                undercloud.launcher.detach_lab()
                # the session's undercloud is shared: no compute, node provider, flavor
                # (other modules emit these names) or image of this lab is left
                undercloud.remove_compute(host)
                assert overcloud.providers_with_inventory(conn) == 0
                for name in flavors:
                    conn.compute.delete_flavor(conn.compute.find_flavor(name))
                conn.image.delete_image(image_id)
        except BaseException:
            dump_lab(lab, bm)
            raise


def _placed(ctx) -> list[overcloud.Placed]:
    return overcloud.servers(ctx["conn"], ctx["bm"])


def test_stack_create_scale_delete(overcloud_lab):
    ctx = overcloud_lab
    clouds, lab, bm = ctx["clouds"], ctx["lab"], ctx["bm"]
    name = f"overcloud-{uuid.uuid4().hex[:6]}"
    disks = {n["name"]: n["disk"] for n in lab["nodes"]}
    env = ctx["emit"] / "overcloud-roles.yaml"
    assert "ComputeCount: 2" in env.read_text() and "ControlCount: 1" in env.read_text()
    try:
        stack = overcloud.create_stack(clouds, name, [env], {"OvercloudImage": ctx["image"]})
        assert stack["stack_status"] == "CREATE_COMPLETE", stack["stack_status_reason"]
        placed = _placed(ctx)
        print(overcloud.table(placed))
        assert sorted(p.role for p in placed) == ["compute", "compute", "control"]
        for p in placed:
            assert p.server_status == "ACTIVE", p
            assert p.node_profile == p.role, p  # each server on a node of its role
            assert p.node_state == "active", p
            assert read_marker(disks[p.node]) == MARKER, p
        assert len({p.node for p in placed}) == 3

        # a control server while the only control node is taken: No valid host (Heat
        # retries the server a few times: meanwhile, the scale-down runs)
        extra = f"{name}-more"
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            more = pool.submit(overcloud.create_stack, clouds, extra, [], {
                "OvercloudImage": ctx["image"], "ControlCount": 1})
            try:
                # scale compute 2 -> 1: the highest index goes, its node is available
                gone = next(p for p in placed if p.server == "overcloud-compute-1")
                stack = overcloud.update_stack(clouds, name, {"ComputeCount": 1})
                assert stack["stack_status"] == "UPDATE_COMPLETE", \
                    stack["stack_status_reason"]
                wait_for(lambda: bm.get_node(gone.node).provision_state == "available",
                         180, 1, what=f"{gone.node} available after the scale-down")
                after = [p for p in _placed(ctx) if p.server.startswith("overcloud-")
                         and p.node is not None]
                assert sorted((p.role, p.server, p.node_state) for p in after) == [
                    ("compute", "overcloud-compute-0", "active"),
                    ("control", "overcloud-control-0", "active")], after
                failed = more.result()
                assert failed["stack_status"] == "CREATE_FAILED", failed
                assert "No valid host" in failed["stack_status_reason"], failed
            finally:
                more.result()
                overcloud.delete_stack(clouds, extra)
    except BaseException:
        dump_lab(lab, bm)
        raise
    finally:
        overcloud.delete_stack(clouds, name)
    # stack delete: every node back to available, no instance on any
    wait_for(lambda: all(bm.get_node(n["name"]).provision_state == "available"
                         for n in lab["nodes"]), 300, 1, what="every node available")
    assert not _placed(ctx)
    assert all(bm.get_node(n["name"]).instance_id is None for n in lab["nodes"])
    assert {node_profile(bm.get_node(n["name"])) for n in lab["nodes"]} == {
        "control", "compute"}


def _openstack(undercloud, *argv: str) -> list[dict]:
    """The real ``openstack`` command with the undercloud's clouds.yaml (catalog)."""
    run = subprocess.run(["openstack", *argv, "-f", "json"], capture_output=True,
                         text=True, timeout=120, env=undercloud.env(), check=False)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def _unauthenticated(lab: dict) -> tuple[int, int]:
    """Status codes of token-less ``GET /v1/nodes`` (Ironic), ``/v1/introspection``."""
    return (requests.get(f"{lab['ironic_url']}/v1/nodes", timeout=10).status_code,
            requests.get(f"{lab['discoverd_url']}/v1/introspection",
                         timeout=10).status_code)


def _check_behind_keystone(undercloud, lab: dict) -> None:
    assert _unauthenticated(lab) == (401, 401)
    # the version documents stay public (the ramdisk's lookup, heartbeat and
    # /v1/continue did too: the fixture's introspections finished)
    assert requests.get(lab["ironic_url"], timeout=10).status_code == 200
    assert requests.get(lab["discoverd_url"], timeout=10).status_code == 200
    names = {node["name"] for node in _openstack(undercloud, "baremetal", "node", "list")}
    assert names == {spec.name for spec in SPECS}
    done = _openstack(undercloud, "baremetal", "introspection", "list")
    assert len(done) == len(SPECS) and all(row["Error"] is None for row in done), done


def test_lab_behind_keystone(overcloud_lab, undercloud):
    """Ironic and discoverd refuse token-less calls; the ``openstack`` CLI reaches
    both through the catalog (``baremetal``, ``baremetal-introspection``); the same
    lab restarted without authentication (``undercloud down``) and behind Keystone
    again (``undercloud up`` over a running lab) keeps its nodes and introspections."""
    ctx = overcloud_lab
    lab = ctx["lab"]
    conn = undercloud.connection()
    assert conn.endpoint_for("baremetal").rstrip("/") == lab["ironic_url"]
    assert conn.endpoint_for("baremetal-introspection").rstrip("/") == lab["discoverd_url"]
    _check_behind_keystone(undercloud, lab)

    labdir = Lab(ctx["work"] / "lab")
    try:
        assert labdir.set_keystone(None)["keystone"] is None
        assert _unauthenticated(lab) == (200, 200)
        assert {n.name for n in keystone_auth.connection(labdir.load()).baremetal.nodes()
                } == {spec.name for spec in SPECS}
    finally:
        labdir.set_keystone(ctx["keystone"])
    _check_behind_keystone(undercloud, lab)
