from ahc_rules.assign import assign
from ahc_rules.cmdb import Cmdb
from ahc_rules.explain import explain, explain_dict, first_failing_spec, seen_values
from ahc_rules.facts import load_nodes
from ahc_rules.rules_dir import load_rules


def test_explain_compute_node(rules_dir, facts_dir):
    rules = load_rules(rules_dir)
    nodes = load_nodes(facts_dir)
    result = assign(nodes, rules)
    compute = next(a for a in result.assignments if a.role == "compute"
                   and a.variables.get("root_gb") == "960")
    facts = next(n for n in nodes if n.name == compute.node).facts
    reasons = {r.role: r for r in explain(facts, rules, compute.remaining)}
    assert reasons["compute"].status == "matched"
    control = reasons["control"]
    assert control.status == "no-match"
    assert control.spec.fields == ("disk", "$disk1", "size", "range(400, 600)")
    assert control.detail.startswith(f"{rules_dir}/control.specs:8 ")
    assert "disk/sda/size=960" in control.seen
    assert reasons["swift-storage"].seen == ("system/product/vendor=Dell Inc.",)
    assert explain_dict([control])[0]["line"] == 8


def test_count_and_cmdb_exhausted(rules_dir, facts_dir):
    rules = load_rules(rules_dir)
    nodes = load_nodes(facts_dir)
    result = assign(nodes, rules)
    control = next(a for a in result.assignments if a.role == "control")
    facts = next(n for n in nodes if n.name == control.node).facts
    reasons = explain(facts, rules, {"control": 0, "block-storage": 2})
    assert reasons[0].status == "count-exhausted" and "3 wanted" in str(reasons[0])
    used = Cmdb("control", [{"hostname": "h", "used": 1}])
    reasons = explain(facts, rules, None, {"control": used})
    assert reasons[0].status == "cmdb-exhausted"


def test_helpers(rules_dir, facts_dir):
    rules = load_rules(rules_dir)
    node = load_nodes(facts_dir)[0]
    specs = rules.role("ceph-storage").specs
    idx = first_failing_spec(specs, node.facts)
    assert idx is None or 0 <= idx < len(specs)
    many = seen_values(rules.role("compute").specs[2], node.facts)
    assert all(v.startswith("disk/") for v in many)
