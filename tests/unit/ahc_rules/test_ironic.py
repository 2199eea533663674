import json
from collections import Counter
from types import SimpleNamespace
from unittest import mock

import pytest

from ahc_rules import ironic
from ahc_rules.assign import Assignment
from ahc_rules.exception import FactsError, IronicMatchError
from ahc_rules.rules_dir import load_rules
from ahc_rules.synthetic import fleet


def fake_node(uuid, facts, caps="boot_mode:uefi", state="manageable"):
    return SimpleNamespace(id=uuid, extra={"hardware": facts} if facts is not None else {},
                           properties={"capabilities": caps, "cpus": 8},
                           resource_class="baremetal", provision_state=state)


def test_capabilities_round_trip():
    caps = ironic.parse_capabilities("profile:compute, boot_mode:uefi")
    assert caps == {"profile": "compute", "boot_mode": "uefi"}
    assert ironic.format_capabilities(caps) == "profile:compute,boot_mode:uefi"
    assert ironic.parse_capabilities({"a": 1}) == {"a": "1"}
    assert ironic.parse_capabilities(None) == {}


def test_node_from_ironic_formats():
    facts = [["cpu", "logical", "number", 2]]
    node = ironic.node_from_ironic(fake_node("u1", json.dumps(facts), "profile:control"))
    assert node.facts.lines == (("cpu", "logical", "number", "2"),)
    assert node.profile == "control" and node.properties == {"cpus": 8}
    assert ironic.node_from_ironic(fake_node("u2", {"data": facts})).profile is None
    assert ironic.node_from_ironic(fake_node("u3", None)) is None
    with pytest.raises(FactsError, match="node u4 extra.hardware"):
        ironic.node_from_ironic(fake_node("u4", "{"))


@pytest.fixture
def baremetal():
    nodes = {name: fake_node(name, facts) for name, facts in fleet(12, seed=3).items()}
    nodes["node-00000"].properties["capabilities"] = "profile:control"
    proxy = mock.Mock(spec=["nodes", "get_node", "patch_node", "add_node_trait"])
    proxy.nodes.return_value = list(nodes.values())
    proxy.get_node.side_effect = nodes.__getitem__
    proxy.nodes_by_name = nodes
    return proxy


def test_run_writes_profiles_keeping_capabilities(rules_dir, baremetal):
    matcher = ironic.IronicMatcher(baremetal, load_rules(rules_dir), "baremetal-{role}",
                                   "CUSTOM_PROFILE_{ROLE}")
    result, nodes = matcher.run()
    assert "node-00000" not in {n.name for n in nodes}
    assert result.counts["control"] <= 3
    patched = {call.args[0].id: call.args[1] for call in baremetal.patch_node.call_args_list}
    assert len(patched) == sum(1 for a in result.assignments if a.role)
    some = next(a for a in result.assignments if a.role)
    assert patched[some.node][0]["value"] == f"boot_mode:uefi,profile:{some.role}"
    assert patched[some.node][1]["value"] == f"baremetal-{some.role}"
    trait = f"CUSTOM_PROFILE_{some.role.upper().replace('-', '_')}"
    baremetal.add_node_trait.assert_any_call(mock.ANY, trait)
    assert (rules_dir / "control.cmdb.orig").exists() == bool(result.changed_cmdbs)


def test_dry_run_writes_nothing(rules_dir, baremetal):
    ironic.IronicMatcher(baremetal, load_rules(rules_dir)).run(dry_run=True)
    baremetal.patch_node.assert_not_called()


def test_node_that_got_a_profile_meanwhile_is_left(rules_dir, baremetal):
    def late(name):
        node = baremetal.nodes_by_name[name]
        node.properties["capabilities"] = "profile:other"
        return node

    baremetal.get_node.side_effect = late
    ironic.IronicMatcher(baremetal, load_rules(rules_dir)).run()
    baremetal.patch_node.assert_not_called()


def test_full_role_is_not_overfilled(rules_dir, baremetal):
    matcher = ironic.IronicMatcher(baremetal, load_rules(rules_dir))
    with pytest.raises(IronicMatchError, match="node-00001: role control already has 3"):
        matcher._write(Assignment("node-00001", "control"), Counter(control=3), False)


def test_update_failure_names_the_node(rules_dir, baremetal):
    baremetal.patch_node.side_effect = RuntimeError("boom")
    with pytest.raises(IronicMatchError, match="update failed: boom"):
        ironic.IronicMatcher(baremetal, load_rules(rules_dir)).run()


def test_default_scheduling_and_deployed_nodes_keep_their_class(rules_dir, baremetal):
    deployed = {"node-00001": "active", "node-00002": "deploying"}
    for name, state in deployed.items():
        baremetal.nodes_by_name[name].provision_state = state
    matcher = ironic.IronicMatcher(baremetal, load_rules(rules_dir))
    result, _ = matcher.run()
    role_of = {a.node: a.role for a in result.assignments if a.role}
    assert set(deployed) <= set(role_of)
    patched = {call.args[0].id: call.args[1] for call in baremetal.patch_node.call_args_list}
    for name, ops in patched.items():
        classes = [op["value"] for op in ops if op["path"] == "/resource_class"]
        role = role_of[name]
        # capabilities:profile is still written, for older consumers
        assert ops[0]["value"] == f"boot_mode:uefi,profile:{role}"
        assert classes == ([] if name in deployed else [f"baremetal.{role}"]), name
    for name, state in deployed.items():
        assert any(note.startswith(f"node {name}: resource class left at 'baremetal'")
                   and f"it is {state}" in note for note in matcher.notes), matcher.notes
    assert len(matcher.notes) == len(deployed)
    traits = {call.args[1] for call in baremetal.add_node_trait.call_args_list}
    assert traits == {f"CUSTOM_PROFILE_{r.upper().replace('-', '_')}"
                      for r in set(role_of.values())}


def test_no_trait_when_disabled(rules_dir, baremetal):
    ironic.IronicMatcher(baremetal, load_rules(rules_dir), trait="").run()
    baremetal.add_node_trait.assert_not_called()
    assert baremetal.patch_node.called


def test_node_from_builtin_inspection_data():
    """Without extra.hardware the facts come from GET /v1/nodes/{id}/inventory."""
    from openstack import exceptions as sdk_exc

    inventories = {
        # Ironic's extra-hardware hook on: the nested dict in plugin_data.extra
        "u1": {"inventory": {"cpu": {"count": 2}},
               "plugin_data": {"extra": {"cpu": {"logical": {"number": 2}}}}},
        # hook off: the ramdisk's list as it sent it
        "u2": {"inventory": {}, "plugin_data": {"data": [["memory", "total", "size", "8"]]}},
        "u3": {"inventory": {}, "plugin_data": {}},
    }

    def get_node_inventory(node_id):
        if node_id == "u4":
            raise sdk_exc.NotFoundException("no inventory")
        if node_id == "u5":
            raise sdk_exc.HttpException("boom")
        return inventories[node_id]

    proxy = mock.Mock(spec=["get_node_inventory"])
    proxy.get_node_inventory.side_effect = get_node_inventory
    node = ironic.node_from_ironic(fake_node("u1", None, "profile:compute"), proxy)
    assert node.facts.lines == (("cpu", "logical", "number", "2"),)
    assert node.inventory == {"cpu": {"count": 2}} and node.profile == "compute"
    node = ironic.node_from_ironic(fake_node("u2", None), proxy)
    assert node.facts.lines == (("memory", "total", "size", "8"),)
    assert ironic.node_from_ironic(fake_node("u3", None), proxy) is None
    assert ironic.node_from_ironic(fake_node("u4", None), proxy) is None
    with pytest.raises(FactsError, match="node u5 inventory.*boom"):
        ironic.node_from_ironic(fake_node("u5", None), proxy)
    # extra.hardware wins: the inventory is not read at all
    proxy.get_node_inventory.reset_mock()
    ironic.node_from_ironic(fake_node("u6", [["cpu", "logical", "number", 4]]), proxy)
    proxy.get_node_inventory.assert_not_called()
    assert ironic.node_from_ironic(fake_node("u1", None)) is None  # no proxy: extra only
