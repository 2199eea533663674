"""``ironic-tripleo profiles`` against a real Ironic 39."""

import json
import random
import uuid

import pytest

from ahc_rules.synthetic import node_facts
from ironic_tripleo.cli.main import main


@pytest.fixture
def rules(tmp_path):
    path = tmp_path / "rules"
    path.mkdir()
    (path / "state").write_text("[('control', '1'), ('compute', '*')]\n")
    (path / "control.specs").write_text(
        "[('cpu', 'physical', 'number', '2'),\n"
        " ('memory', 'total', 'size', 'ge(68719476736)')]\n")
    (path / "compute.specs").write_text("[('cpu', 'logical', 'number', 'ge(48)')]\n")
    return path


@pytest.fixture
def nodes(baremetal):
    """A control, a compute, a Ceph box that fits no role and one without facts."""
    rng = random.Random(3)  # noqa: S311 - test data
    suffix = uuid.uuid4().hex[:6]
    specs = [("ctl", "control", "profile:control,boot_mode:uefi"),
             ("cmp", "compute", "profile:compute"),
             ("ceph", "ceph-storage", None), ("bare", None, None)]
    created = {}
    for short, model, caps in specs:
        extra = {"hardware": json.dumps(node_facts(model, rng))} if model else {}
        props = {"cpus": 16, "memory_mb": 65536, "local_gb": 400}
        if caps:
            props["capabilities"] = caps
        node = baremetal.create_node(driver="fake-hardware", name=f"{short}-{suffix}",
                                     extra=extra, properties=props)
        created[short] = node
    yield created
    for node in created.values():
        baremetal.delete_node(node, ignore_missing=True)


def lines_of(out: str, name: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(name)]


def test_table_and_reasons(real_ironic, nodes, rules, capsys):
    assert main(["profiles", "--ironic-url", real_ironic.url, "--rules", str(rules)]) == 0
    out = capsys.readouterr().out
    header, *_ = out.splitlines()
    assert header.split() == ["node", "profile", "cpus", "memory_mb", "local_gb",
                              "provision_state"]
    ctl, = lines_of(out, nodes["ctl"].name)
    assert ctl.split()[1:] == ["control", "16", "65536", "400", "enroll"]
    assert lines_of(out, nodes["cmp"].name)[0].split()[1] == "compute"
    assert out.index(nodes["ctl"].name) < out.index(nodes["cmp"].name)
    assert "profiles: control: 1/1, compute: 1; unmatched: 2" in out
    unmatched = out.split("unmatched nodes:", 1)[1]
    ceph = unmatched.split(nodes["ceph"].name, 1)[1]
    assert "control: count exhausted (1 wanted)" in ceph
    assert "compute.specs:1" in ceph and "cpu/logical/number=16" in ceph
    assert "introspect the node first" in unmatched.split(nodes["bare"].name, 1)[1]


def test_without_rules_lists_only(real_ironic, nodes, capsys):
    assert main(["profiles", "--ironic-url", real_ironic.url]) == 0
    out = capsys.readouterr().out
    assert lines_of(out, nodes["ceph"].name)[0].split()[1] == "-"
    assert "count exhausted" not in out and "unmatched nodes:" in out


def test_bad_rules_dir(real_ironic, tmp_path, capsys):
    assert main(["profiles", "--ironic-url", real_ironic.url,
                 "--rules", str(tmp_path / "none")]) == 2
    assert "not a directory" in capsys.readouterr().err
