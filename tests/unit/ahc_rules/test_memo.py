"""Memoized matching gives exactly what plain matching gives."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ahc_rules.assign import match_node
from ahc_rules.matcher import NodeFacts, compile_specs, match
from ahc_rules.memo import MatchCache, Projection
from ahc_rules.rules_dir import load_rules
from ahc_rules.rules_parser import SpecLine
from ahc_rules.synthetic import fleet
from tests.harness.ahc_strategies import FACT, SPEC


# 300 examples (3x the default; 800 took ~8 s of every unit run)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FACT, max_size=12), st.lists(SPEC, min_size=1, max_size=5))
def test_projection_same_result(facts, specs):
    compiled = compile_specs(SpecLine(s, "t.specs", 1) for s in specs)
    full = NodeFacts(facts)
    projected = NodeFacts(Projection(compiled)(full.lines), strings=True)
    assert match(compiled, projected) == match(compiled, full)
    cache = MatchCache()
    assert cache.match(compiled, full) == match(compiled, full)
    assert cache.match(compiled, NodeFacts(facts)) == match(compiled, full)


def test_projection_uses_the_key_and_skips_serials(rules_dir):
    rules = load_rules(rules_dir)
    projection = Projection(rules.role("compute").specs)
    assert projection.position == 2
    assert projection.values == {"number", "size", "link"}
    facts = NodeFacts(fleet(1, seed=5)["node-00000"])
    assert all(line[2] in projection.values for line in projection(facts.lines))
    assert not any(line[2] == "serial" for line in projection(facts.lines))


def test_memoized_match_node_same_as_plain(rules_dir):
    rules = load_rules(rules_dir)
    cache = MatchCache()
    remaining = {"block-storage": 2}  # control full: every node goes to the later roles
    for facts in fleet(200, seed=9).values():
        node = NodeFacts(facts)
        assert (match_node(rules, node, {**remaining, "control": 0}, cache=cache)
                == match_node(rules, node, {**remaining, "control": 0}))
    assert cache.hits > 150
    results = [cache.match(rules.role("compute").specs, NodeFacts(f))
               for f in fleet(2, seed=1).values()]
    results[0][1]["x"] = "changed"  # callers get copies
    assert "x" not in cache.match(rules.role("compute").specs,
                                  NodeFacts(fleet(2, seed=1)["node-00000"]))[1]
