"""Role matching in the lab: enroll, introspect (discoverd inspect interface), ahc-match.

Three lab nodes: one with big memory, one with a big rotational disk, one small.
The rules want one control (memory), one ceph-storage (disk) and any computes; the
profiles land in the lab's real Ironic, ``--explain`` names the failing spec line,
``--emit`` writes flavors, the ``openstack flavor create`` script and the Heat env.
"""

import json

import pytest

from ahc_rules.cli import match as ahc_match
from ahc_rules.ironic import node_profile
from baremetal_common.cloud import connect
from ironic_tripleo.enroll.enroll import enroll
from ironic_tripleo.enroll.inventory import validate
from ironic_tripleo.lab.lab import running_lab
from ironic_tripleo.lab.node import NodeSpec
from tests.harness.lab_inspection import inspect_all

SPECS = [
    NodeSpec(name="bigmem", cpus=2, memory_mb=6144, disk_gb=20),
    NodeSpec(name="bigdisk", cpus=2, memory_mb=2048, disk_gb=200, disk_rotational=True),
    NodeSpec(name="small", cpus=2, memory_mb=2048, disk_gb=20),
]
RULES = {
    "state": "[('control', '1'), ('ceph-storage', '1'), ('compute', '*')]\n",
    "control.specs": "[('cpu', 'logical', 'number', 'ge(1)'),\n"
                     " ('memory', 'total', 'size', 'ge(4294967296)')]\n",
    "ceph-storage.specs": "[('disk', '$osd', 'size', 'ge(100)'),\n"
                          " ('disk', '$osd', 'rotational', '1')]\n",
    "compute.specs": "[('cpu', 'logical', 'number', 'ge(1)')]\n",
}


@pytest.fixture(scope="module")
def lab_inspected(tmp_path_factory):
    with running_lab(tmp_path_factory.mktemp("lab"), SPECS, subnet="auto") as lab:
        entries = json.loads(open(lab["instackenv"]).read())["nodes"]
        for entry in entries:
            for key in ("cpu", "memory", "disk"):
                entry.pop(key, None)
        bm = connect(lab["ironic_url"]).baremetal
        enroll(bm, validate({"nodes": entries}), manage=True, timeout=60)
        nodes = inspect_all(lab, bm, timeout=120)
        assert all(n.provision_state == "manageable" for n in nodes), [
            (n.name, n.last_error) for n in nodes]
        yield lab, bm


def test_profiles_counts_explain_emit(lab_inspected, tmp_path, capsys):
    lab, bm = lab_inspected
    rules = tmp_path / "rules"
    rules.mkdir()
    for name, text in RULES.items():
        (rules / name).write_text(text)
    emit_dir = tmp_path / "emit"
    uuid_of = {n.name: n.id for n in bm.nodes()}
    code = ahc_match.main(["--rules", str(rules), "--ironic-url", lab["ironic_url"],
                           "--explain", uuid_of["bigdisk"], "--emit", str(emit_dir)])
    out = capsys.readouterr().out
    assert code == 0, out
    profiles = {n.name: node_profile(n) for n in bm.nodes(details=True)}
    assert profiles == {"bigmem": "control", "bigdisk": "ceph-storage", "small": "compute"}
    # nodes go in UUID order: control is full if bigmem came first, else its memory
    # line (2 GiB) is named; ceph-storage took bigdisk either way
    if uuid_of["bigmem"] < uuid_of["bigdisk"]:
        assert "control: count exhausted (1 wanted)" in out, out
    else:
        assert "control.specs:2" in out and "seen: memory/total/size=" in out, out
    assert "ceph-storage: all specs match" in out
    emitted = sorted(p.name for p in emit_dir.iterdir())
    assert any(name.endswith(".json") for name in emitted), emitted
    script = next(p for p in emit_dir.iterdir() if p.suffix == ".sh").read_text()
    assert "openstack flavor create" in script and "capabilities:profile" not in script
    assert "resources:CUSTOM_BAREMETAL_CEPH_STORAGE=1" in script, script
    heat = "".join(p.read_text() for p in emit_dir.iterdir() if p.suffix in (".yaml", ".yml"))
    assert "ControllerCount: 1" in heat or "ControlCount: 1" in heat, heat
