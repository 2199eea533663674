"""ahc-match against a real standalone Ironic: profiles written, counts kept, races."""

import json
import uuid

import pytest

from ahc_rules.cli import match as cli
from ahc_rules.ironic import IronicMatcher, node_profile, parse_capabilities
from ahc_rules.rules_dir import load_rules
from ahc_rules.synthetic import fleet
from tests.harness.ahc_examples import copy_examples


@pytest.fixture
def rules_dir(tmp_path):
    return copy_examples(tmp_path)


@pytest.fixture
def enrolled(baremetal):
    """12 fake-hardware nodes with synthetic facts in extra.hardware; deleted after."""
    suffix = uuid.uuid4().hex[:6]
    created = []
    for name, facts in fleet(12, seed=11).items():
        node = baremetal.create_node(driver="fake-hardware", name=f"{name}-{suffix}",
                                     extra={"hardware": json.dumps(facts)},
                                     properties={"capabilities": "boot_mode:uefi"})
        created.append(node)
    yield created
    for node in created:
        baremetal.delete_node(node, ignore_missing=True)


def test_profiles_written_and_counts_kept(baremetal, enrolled, rules_dir):
    result, nodes = IronicMatcher(baremetal, load_rules(rules_dir),
                                  resource_class="baremetal-{role}").run()
    assert len(nodes) == 12
    for assignment in result.assignments:
        node = baremetal.get_node(assignment.node)
        caps = parse_capabilities(node.properties.get("capabilities"))
        assert caps.get("boot_mode") == "uefi"
        assert caps.get("profile") == assignment.role
        if assignment.role:
            assert node.resource_class == f"baremetal-{assignment.role}"
    # A second run keeps everyone and assigns nothing new.
    again, todo = IronicMatcher(baremetal, load_rules(rules_dir)).run()
    assert {n.name for n in todo} == {a.node for a in result.assignments if a.role is None}
    held = [node_profile(n) for n in baremetal.nodes(details=True)]
    assert held.count("control") <= 3 and held.count("block-storage") <= 2


def test_cli_ironic_mode_dry_run(real_ironic, enrolled, rules_dir, capsys):
    code = cli.main(["--rules", str(rules_dir), "--ironic-url", real_ironic.url,
                     "--dry-run", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    assert len(data["assignments"]) >= 1
