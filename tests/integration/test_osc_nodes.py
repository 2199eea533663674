"""The real ``openstack`` command with this project's plugin against a real Ironic 39.

Nodes the tests create themselves are ``fake-tripleo`` (the lab's type: fake
power/management/boot); nodes ``overcloud node import`` creates are ``tripleo-ipmi``
(the product type, no fakes) behind in-process virtual BMCs. Inspection is the
``discoverd`` inspect interface pointing at a real discoverd; the discovery ramdisk
is played by posting realistic payloads to discoverd's ``/v1/continue``. Each test
writes its own clouds.yaml (``auth_type: none`` and endpoint overrides) and runs
``.venv/bin/openstack ... -f json``.
"""

import json
import os
import random
import subprocess
import sys
import time

import pytest
import requests

from ahc_rules.synthetic import node_facts
from baremetal_common.cloud import connect
from ironic_tripleo.vbmc.memory_backend import MemoryBackend
from ironic_tripleo.vbmc.server import BmcServer
from tests.harness.discoverd_payloads import ramdisk_payload
from tests.harness.discoverd_stack import ironic_with_discoverd
from tests.harness.osc import finish, openstack, start
from tests.harness.waiting import wait_for

_PREFIX = random.randrange(256)
_COUNTER = iter(range(1, 250))
GiB = 1024 ** 3


def mac(i: int, j: int) -> str:
    return f"52:54:02:{_PREFIX:02x}:{i:02x}:{j:02x}"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Real Ironic (discoverd inspection) and a real discoverd."""
    hardware_types = ("tripleo-ipmi", "fake-tripleo", "fake-hardware")
    with ironic_with_discoverd(tmp_path_factory, hardware_types) as (ironic, server):
        clouds = tmp_path_factory.mktemp("osc") / "clouds.yaml"
        clouds.write_text(json.dumps({"clouds": {"lab": {
            "auth_type": "none", "endpoint": ironic.url,
            "baremetal_endpoint_override": ironic.url,
            "baremetal_introspection_endpoint_override": server.url}}}))
        yield ironic, server, clouds


@pytest.fixture(scope="module")
def bmc_ports():
    """Virtual BMCs (memory backends) on 127.0.0.1 for imported ``tripleo-ipmi`` nodes:
    an iterator of their ports, one per node."""
    server = BmcServer()
    ports = [server.add_node(f"osc-bmc{i}", MemoryBackend(), "admin", "pw")
             for i in range(4)]
    server.start()
    yield iter(ports)
    server.stop()


@pytest.fixture
def baremetal(stack):
    return connect(stack[0].url).baremetal


class Driving:
    """``with Driving(proc):`` plays the ramdisk while ``proc`` runs; on an error
    the command is stopped and its output added to the error."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc

    def __enter__(self) -> "Driving":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if exc is not None:
            self.proc.kill()
            out, err = self.proc.communicate()
            raise AssertionError(f"{exc}\ncommand stdout:\n{out}\nstderr:\n{err}") from exc


def inventory(count: int, bmc_ports=None, **extra) -> tuple[dict, list[int]]:
    """An instackenv of ``count`` nodes; their BMCs are the next of ``bmc_ports``
    (virtual BMCs on 127.0.0.1) when given, else addresses nothing answers on."""
    ids = [next(_COUNTER) for _ in range(count)]
    tag = f"{_PREFIX:02x}{time.time_ns() % 10**6}"
    bmcs = {i: ("127.0.0.1", next(bmc_ports)) if bmc_ports else (f"198.51.100.{i}", 6230 + i)
            for i in ids}
    nodes = [{"name": f"osc{i}-{tag}", "pm_type": "ipmi", "pm_addr": bmcs[i][0],
              "pm_port": bmcs[i][1], "pm_user": "admin", "pm_password": "pw",
              "ports": [{"address": mac(i, 1), "physical_network": "ctlplane"}],
              "inspect_interface": "discoverd", **extra}
             for i in ids]
    return {"nodes": nodes}, ids


def wait_state(baremetal, name: str, wanted: str, timeout: float = 60, not_started=None):
    """Wait for ``name`` in ``wanted`` (and an inspection not started at ``not_started``);
    returns the node as Ironic's API shows it (a dict)."""
    url = baremetal.get_endpoint().rstrip("/")
    url = url if url.endswith("/v1") else f"{url}/v1"

    def reached():
        r = requests.get(f"{url}/nodes/{name}", timeout=10,
                         headers={"X-OpenStack-Ironic-API-Version": "latest"})
        if r.status_code != 200:
            return None  # not created yet
        node = r.json()
        if not_started is not None and node["inspection_started_at"] == not_started:
            return None
        return node if node["provision_state"] == wanted else None
    return wait_for(reached, timeout, 0.2, what=f"node {name} to be {wanted}")


def play_ramdisk(server, baremetal, name: str, i: int, error: str | None = None,
                 disks_gib: tuple[int, ...] = (50, 120), cpus: int = 4,
                 not_started: str | None = None) -> str:
    """Wait for ``name`` to be in inspect wait (an inspection not started at
    ``not_started``), then post its ramdisk payload; return the start time."""
    node = wait_state(baremetal, name, "inspect wait", 90, not_started)
    payload = ramdisk_payload([mac(i, 1)], bmc_address=f"198.51.100.{i}", cpus=cpus,
                              memory_mb=2048 * cpus, disks_gib=disks_gib, error=error)
    payload["inventory"]["disks"][-1]["wwn_with_extension"] = f"0x5000c500000000{i:02x}ff"
    response = requests.post(f"{server.url}/v1/continue", json=payload, timeout=30)
    assert response.status_code == (400 if error else 200), response.text
    return node["inspection_started_at"]


def test_import_introspect_provide_then_configure(stack, baremetal, bmc_ports, tmp_path):
    ironic, server, clouds = stack
    doc, ids = inventory(2, bmc_ports)
    path = tmp_path / "instackenv.json"
    path.write_text(json.dumps(doc))
    proc = start(clouds, "overcloud", "node", "import", str(path), "--introspect",
                 "--provide", "--instance-boot-option", "local", "-f", "json")
    with Driving(proc):
        for node, i in zip(doc["nodes"], ids, strict=True):
            play_ramdisk(server, baremetal, node["name"], i, cpus=i % 7 + 2)
    out, err = finish(proc)
    assert proc.returncode == 0, err
    rows = json.loads(out)
    assert [r["Name"] for r in rows] == [n["name"] for n in doc["nodes"]]
    assert all(r["Action"] == "created" and r["Provision State"] == "available"
               and r["Error"] is None for r in rows), rows
    assert [r["Ports Added"] for r in rows] == [mac(i, 1) for i in ids]
    node = baremetal.get_node(rows[0]["UUID"])
    assert node.properties["cpus"] == ids[0] % 7 + 2
    assert "boot_option:local" in node.properties["capabilities"]

    # configure: the largest disk of the inspection data, deploy images from the
    # directory 'ironic-tripleo ramdisk build' writes.
    ramdisk_dir = tmp_path / "ramdisk"
    ramdisk_dir.mkdir()
    for name in ("ironic-tripleo.kernel", "ironic-tripleo.initramfs"):
        (ramdisk_dir / name).write_bytes(b"x")
    result = openstack(clouds, "overcloud", "node", "configure", rows[0]["Name"],
                       "--root-device", "largest", "--ramdisk-dir", str(ramdisk_dir),
                       "--boot-mode", "uefi", "-f", "json")
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)
    wwn = f"0x5000c500000000{ids[0]:02x}ff"
    assert row["Root Device"] == {"wwn_with_extension": wwn} and row["Local GB"] == 119
    node = baremetal.get_node(rows[0]["UUID"])
    assert node.properties["root_device"] == {"wwn_with_extension": wwn}
    assert node.properties["local_gb"] == 119
    assert node.driver_info["deploy_kernel"] == f"file://{ramdisk_dir}/ironic-tripleo.kernel"
    assert node.driver_info["deploy_ramdisk"] == \
        f"file://{ramdisk_dir}/ironic-tripleo.initramfs"
    assert "boot_mode:uefi" in node.properties["capabilities"]

    # (name lists, minimum size and kept hints: tests/unit/nodes/test_configure.py)
    result = openstack(clouds, "overcloud", "node", "configure", rows[0]["Name"],
                       "--root-device", "smallest", "--overwrite-root-device-hints",
                       "--ramdisk-dir", str(ramdisk_dir), "-f", "json")
    [row] = json.loads(result.stdout)
    assert row["Root Device"] == {"wwn": "0x5000c50000000000"} and row["Local GB"] == 49
    # Without a built ramdisk and without --deploy-kernel: refused, named.
    result = openstack(clouds, "overcloud", "node", "configure", rows[0]["Name"],
                       "--ramdisk-dir", str(tmp_path / "none"))
    assert result.returncode == 1
    assert "ironic-tripleo ramdisk build" in result.stderr

    # Re-import: found again, nothing added.
    result = openstack(clouds, "overcloud", "node", "import", str(path), "-f", "json")
    assert result.returncode == 0, result.stderr
    assert [r["Action"] for r in json.loads(result.stdout)] == ["updated", "updated"]


def test_introspect_retries_concurrency_and_node_timeout(stack, baremetal):
    ironic, server, clouds = stack
    doc, ids = inventory(3)
    for node in doc["nodes"]:
        uuid = baremetal.create_node(driver="fake-tripleo", name=node["name"],
                                     driver_info={"ipmi_address": node["pm_addr"]},
                                     inspect_interface="discoverd",
                                     provision_state="manageable").id
        baremetal.create_port(node_uuid=uuid, address=node["ports"][0]["address"])
    names = [n["name"] for n in doc["nodes"]]
    # The third node never answers: each attempt times out (a command of its own,
    # run meanwhile, so that the others are not bound by its short timeout).
    silent = start(clouds, "overcloud", "node", "introspect", names[2], "--node-timeout", "5",
                   "--max-retries", "1", "--retry-timeout", "30", "-f", "json")
    proc = start(clouds, "overcloud", "node", "introspect", names[0], names[1],
                 "--concurrency", "1", "--max-retries", "1", "-f", "json")
    with Driving(proc):
        # One at a time: the first fails once then succeeds, then the second runs.
        first = play_ramdisk(server, baremetal, names[0], ids[0],
                             error="disk controller not found")
        assert baremetal.get_node(names[1]).provision_state == "manageable"
        play_ramdisk(server, baremetal, names[0], ids[0], not_started=first)
        play_ramdisk(server, baremetal, names[1], ids[1])
    out, err = finish(proc)
    assert proc.returncode == 0, err
    rows = {r["Name"]: r for r in json.loads(out)}
    assert rows[names[0]]["Attempts"] == 2 and rows[names[0]]["Error"] is None
    assert rows[names[0]]["Provision State"] == "manageable"
    assert rows[names[1]]["Attempts"] == 1 and rows[names[1]]["CPUs"] == 4
    out, err = finish(silent)
    assert silent.returncode == 1, err
    [row] = json.loads(out)
    assert row["Attempts"] == 2 and "timed out after 5s" in row["Error"]
    assert baremetal.get_node(names[2]).provision_state == "inspect failed"


def test_all_manageable_leaves_enroll_nodes_and_provide(stack, baremetal):
    ironic, server, clouds = stack
    doc, ids = inventory(2)
    created = []
    for node, state in zip(doc["nodes"], ("manageable", "enroll"), strict=True):
        attrs = {"provision_state": state} if state == "manageable" else {}
        created.append(baremetal.create_node(driver="fake-tripleo", name=node["name"],
                                             inspect_interface="no-inspect",
                                             driver_info={}, **attrs))
    others = {n.id for n in baremetal.nodes(provision_state="manageable")} - {created[0].id}
    for other in others:  # leave only ours in manageable
        baremetal.set_node_maintenance(other, reason="not this test's")
    try:
        result = openstack(clouds, "overcloud", "node", "provide", "--all-manageable",
                           "-f", "json")
    finally:
        for other in others:
            baremetal.unset_node_maintenance(other)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"UUID": created[0].id, "Name": doc["nodes"][0]["name"],
                                          "Provision State": "available", "Error": None}]
    assert baremetal.get_node(created[1].id).provision_state == "enroll"
    result = openstack(clouds, "overcloud", "node", "provide", created[1].id, "-f", "json")
    assert result.returncode == 1
    assert "cannot be provided (needs manageable)" in json.loads(result.stdout)[0]["Error"]


def test_import_validate_only_and_bad_file(stack, baremetal, tmp_path):
    ironic, server, clouds = stack
    doc, ids = inventory(2)
    path = tmp_path / "nodes.yaml"
    path.write_text(json.dumps(doc))
    before = len(list(baremetal.nodes()))
    result = openstack(clouds, "overcloud", "node", "import", "--validate-only", str(path),
                       "-f", "json")
    assert result.returncode == 0, result.stderr
    assert [(r["Index"], r["Driver"], r["Valid"]) for r in json.loads(result.stdout)] == [
        (0, "tripleo-ipmi", True), (1, "tripleo-ipmi", True)]
    doc["nodes"][1]["ports"][0]["local_link_connection"] = {"switch_id": "nope"}
    doc["nodes"][0]["pm_type"] = "amt"
    path.write_text(json.dumps(doc))
    for extra in (["--validate-only"], []):
        result = openstack(clouds, "overcloud", "node", "import", *extra, str(path))
        assert result.returncode == 1
        assert f"node 0 ({doc['nodes'][0]['name']}): pm_type 'amt' is not supported" \
            in result.stderr
        assert f"node 1 ({doc['nodes'][1]['name']}): ports[0].local_link_connection." \
            "port_id is missing" in result.stderr
    assert len(list(baremetal.nodes())) == before


def test_profiles_list_and_match(stack, baremetal, tmp_path):
    ironic, server, clouds = stack
    rng = random.Random(5)  # noqa: S311 - test data
    tag = f"{_PREFIX:02x}{time.time_ns() % 10**6}"
    big, small = (baremetal.create_node(
        driver="fake-hardware", name=f"prof-{model}-{tag}",
        extra={"hardware": json.dumps(node_facts(model, rng))}).id
        for model in ("control", "compute"))
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "state").write_text("[('control', '1'), ('compute', '*')]\n")
    (rules / "control.specs").write_text(
        "[('system', 'product', 'name', 'PowerEdge R630')]\n")
    (rules / "compute.specs").write_text("[('disk', 'logical', 'count', 'ge(1)')]\n")
    result = openstack(clouds, "overcloud", "profiles", "list", "--rules", str(rules),
                       "-f", "json")
    assert result.returncode == 0, result.stderr
    listed = {r["Node UUID"]: r for r in json.loads(result.stdout)}
    assert listed[big]["Possible Profiles"] == "control, compute"
    assert listed[small]["Possible Profiles"] == "compute"
    assert listed[big]["Current Profile"] is None
    # --dry-run writes nothing; then the real match writes the profiles.
    result = openstack(clouds, "overcloud", "profiles", "match", "--rules", str(rules),
                       "--dry-run", "-f", "json")
    assert result.returncode == 0, result.stderr
    dry = {r["Node UUID"]: r for r in json.loads(result.stdout)}
    assert dry[big]["Profile"] == "control" and dry[big]["Written"] is False
    assert dry[small]["Profile"] == "compute"
    assert "profile" not in (baremetal.get_node(big).properties.get("capabilities") or "")
    result = openstack(clouds, "overcloud", "profiles", "match", "--rules", str(rules),
                       "-f", "json")
    assert result.returncode == 0, result.stderr
    result = openstack(clouds, "overcloud", "profiles", "list", "-f", "value",
                       "-c", "Node UUID", "-c", "Current Profile")
    pairs = dict(line.split() for line in result.stdout.splitlines()
                 if len(line.split()) == 2)
    assert pairs[big] == "control" and pairs[small] == "compute"


def test_ironic_tripleo_introspect_all_manageable_and_provide(stack, baremetal):
    """``ironic-tripleo introspect`` runs the same code: --all-manageable skips enroll
    nodes (its --all took them), --provide makes the inspected nodes available."""
    ironic, server, clouds = stack
    doc, ids = inventory(2)
    created = []
    for node, state in zip(doc["nodes"], ("manageable", "enroll"), strict=True):
        attrs = {"provision_state": state} if state == "manageable" else {}
        uuid = baremetal.create_node(driver="fake-tripleo", name=node["name"],
                                     driver_info={"ipmi_address": node["pm_addr"]},
                                     inspect_interface="discoverd", **attrs).id
        baremetal.create_port(node_uuid=uuid, address=node["ports"][0]["address"])
        created.append(uuid)
    others = {n.id for n in baremetal.nodes(provision_state="manageable")} - {created[0]}
    for other in others:  # leave only ours in manageable
        baremetal.set_node_maintenance(other, reason="not this test's")
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ironic_tripleo.cli.main", "introspect",
             "--all-manageable", "--provide", "--ironic-url", ironic.url],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=dict(os.environ, PYTHONWARNINGS="ignore"))
        with Driving(proc):
            play_ramdisk(server, baremetal, doc["nodes"][0]["name"], ids[0])
        out, err = finish(proc)
    finally:
        for other in others:
            baremetal.unset_node_maintenance(other)
    assert proc.returncode == 0, (out, err)
    assert f"{doc['nodes'][0]['name']}: available" in out
    assert doc["nodes"][1]["name"] not in out
    assert baremetal.get_node(created[0]).provision_state == "available"
    assert baremetal.get_node(created[1]).provision_state == "enroll"
