from collections import Counter

from ahc_rules.assign import assign, match_node, nodes_by_role, remaining_places
from ahc_rules.facts import load_nodes
from ahc_rules.rules_dir import load_rules


def test_assign_examples(rules_dir, facts_dir):
    rules = load_rules(rules_dir)
    nodes = load_nodes(facts_dir)
    result = assign(nodes, rules)
    roles = Counter(a.role for a in result.assignments)
    assert roles["control"] == 3 and roles["block-storage"] <= 2
    assert list(result.counts) == [r.name for r in rules.roles]
    assert [a.node for a in result.assignments] == sorted(n.name for n in nodes)
    controls = [a for a in result.assignments if a.role == "control"]
    assert [a.variables["hostname"] for a in controls] == [
        "overcloud-controller-0", "overcloud-controller-1", "overcloud-controller-2"]
    assert controls[0].remaining["control"] == 3 and controls[2].remaining["control"] == 1
    assert result.changed_cmdbs["control"][0]["used"] == 1
    by_role = nodes_by_role(result, nodes)
    assert sum(len(v) for v in by_role.values()) == sum(result.counts.values())


def test_assign_is_deterministic_and_pure(rules_dir, facts_dir):
    rules = load_rules(rules_dir)
    nodes = load_nodes(facts_dir)
    first = assign(list(reversed(nodes)), rules)
    second = assign(nodes, rules)
    assert first.assignments == second.assignments
    assert rules.role("control").cmdb[0].get("used") is None


def test_already_assigned_counts_are_respected(rules_dir, facts_dir):
    rules = load_rules(rules_dir)
    result = assign(load_nodes(facts_dir), rules, {"control": 2, "block-storage": 2})
    assert result.counts["control"] == 3 and result.counts["block-storage"] == 2
    assert remaining_places(rules, {"control": 5}) == {"control": 0, "block-storage": 2}


def test_cmdb_state_is_carried_between_runs(rules_dir, facts_dir):
    rules = load_rules(rules_dir)
    nodes = load_nodes(facts_dir)
    first = assign(nodes, rules)
    again = assign(nodes, rules, cmdbs=first.changed_cmdbs)
    assert [a.variables.get("hostname") for a in first.assignments] == [
        a.variables.get("hostname") for a in again.assignments]
    assert not again.changed_cmdbs


def test_match_node_skips_full_roles_and_unknown(rules_dir, facts_dir):
    rules = load_rules(rules_dir)
    nodes = load_nodes(facts_dir)
    control = next(a.node for a in assign(nodes, rules).assignments if a.role == "control")
    facts = next(n for n in nodes if n.name == control).facts
    assert match_node(rules, facts, {"control": 0})[0] == "compute"
    assert match_node(rules, facts, {"control": 1})[0] == "control"
