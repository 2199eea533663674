import pytest

from ahc_rules.exception import RuleFileError
from ahc_rules.matcher import NodeFacts, compile_specs, match, to_line
from ahc_rules.rules_parser import SpecLine

FACTS = NodeFacts([
    ("disk", "sda", "size", 100), ("disk", "sdb", "size", "500"),
    ("disk", "sda", "rotational", "0"), ("disk", "sdb", "rotational", "1"),
    ("network", "eth0", "serial", "aa:bb"), ("network", "eth0", "ipv4", "10.0.0.5"),
    ("system", "product", "name", "Box (X1)"),
])


def specs(*fields):
    return compile_specs(SpecLine(f, "t.specs", i + 1) for i, f in enumerate(fields))


def test_to_line_makes_strings():
    assert to_line(["cpu", "logical", "number", 2]) == ("cpu", "logical", "number", "2")
    assert FACTS.lines[0] == ("disk", "sda", "size", "100")


def test_literal_match_and_no_match():
    assert match(specs(("disk", "sda", "size", "100")), FACTS)[0]
    assert match(specs(("disk", "sda", "size", "101")), FACTS) == (False, {}, {})


def test_variables_tie_lines_together():
    ok, var, var2 = match(specs(("disk", "$d", "size", "gt(200)"),
                                ("disk", "$d", "rotational", "$rot")), FACTS)
    assert ok and var == {"d": "sdb", "rot": "1"} and var2 == {}


def test_backtracking_finds_the_other_binding():
    ok, var, _ = match(specs(("disk", "$d", "size", "$s"),
                             ("disk", "$d", "rotational", "1")), FACTS)
    assert ok and var == {"d": "sdb", "s": "500"}


def test_var_with_function_and_cmdb_var():
    ok, var, var2 = match(specs(("disk", "$d", "size", "$size=gt(200)"),
                                ("network", "$eth", "serial", "$$mac")), FACTS)
    assert ok
    assert var == {"d": "sdb", "size": "500", "eth": "eth0", "mac": "aa:bb"}
    assert var2 == {"mac": "aa:bb"}


def test_each_line_is_used_once():
    assert not match(specs(("disk", "$a", "size", "gt(1)"), ("disk", "$b", "size", "gt(1)"),
                           ("disk", "$c", "size", "gt(1)")), FACTS)[0]


def test_network_and_text_with_parentheses():
    assert match(specs(("network", "$e", "ipv4", "network(10.0.0.0/24)"),
                       ("system", "product", "name", "Box (X1)")), FACTS)[0]


def test_impossible_spec_stops_backtracking_early():
    facts = NodeFacts([("disk", f"sd{i}", "size", str(i)) for i in range(30)])
    many = [("disk", f"$d{i}", "size", "$s") for i in range(3)] + [("cpu", "x", "y", "z")]
    assert match(specs(*many), facts) == (False, {}, {})


def test_empty_function_after_equals_is_an_error():
    with pytest.raises(RuleFileError, match="t.specs:1: nothing after '='"):
        specs(("disk", "$d", "size", "$s="))


def test_possible():
    spec = specs(("disk", "$d", "size", "gt(400)"))[0]
    assert spec.possible(FACTS)
    assert not specs(("disk", "$d", "size", "gt(4000)"))[0].possible(FACTS)
