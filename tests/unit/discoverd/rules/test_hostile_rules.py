"""Hostile rules: refused by name when created; a costly regex fails its rule in time."""

import subprocess
import sys
from pathlib import Path

import pytest

from discoverd import exception
from discoverd.rules.engine import validate_rule

COND = {"op": "eq", "field": "memory_mb", "value": 1}
ACTION = {"action": "set-attribute", "path": "/extra/x", "value": 1}


def refused(body, *words):
    with pytest.raises(exception.InvalidInput) as info:
        validate_rule(body)
    for word in words:
        assert word in str(info.value), str(info.value)


@pytest.mark.parametrize("op", [["eq"], {"eq": 1}, 1, None, True])
def test_op_of_wrong_type_is_refused(op):
    refused({"conditions": [{**COND, "op": op}], "actions": [ACTION]},
            "conditions[0]", "unknown condition op", "allowed")


@pytest.mark.parametrize("multiple", [["any"], {"a": 1}, 1])
def test_multiple_of_wrong_type_is_refused(multiple):
    refused({"conditions": [{**COND, "multiple": multiple}], "actions": [ACTION]},
            "multiple=")


@pytest.mark.parametrize("name", [["fail"], {"fail": 1}, 3])
def test_action_name_of_wrong_type_is_refused(name):
    refused({"actions": [{**ACTION, "action": name}]}, "actions[0]", "unknown action")


@pytest.mark.parametrize("path", [
    "/driver_info/../x", "/extra/..", "/extra/./x", "extra/x", "/extra//x", "/extra/x/",
    "/extra/a b", "/extra/a.b", "/extra/\u00e9", "/extra/x~1y", "/extra/" + "x" * 256,
    "/extra/a/b/c/d/e/f", "/extra"])
def test_bad_paths_are_refused(path):
    refused({"actions": [{**ACTION, "path": path}]}, "actions[0]", repr(path)[:20])


@pytest.mark.parametrize("path", ["/uuid", "/traits", "/provision_state", "/name/x",
                                  "/driver", "/ports/x"])
def test_paths_outside_writable_fields_are_refused(path):
    refused({"actions": [{**ACTION, "path": path}]}, "cannot be changed by rules",
            "properties")


@pytest.mark.parametrize("path", ["/extra/role", "/properties/root_device/name",
                                  "/driver_info/ipmi-port_2", "/extra/a/b/c/d/e"])
def test_good_paths_are_accepted(path):
    validate_rule({"actions": [{**ACTION, "path": path}]})


@pytest.mark.parametrize("trait", ["custom_x", "CUSTOM_", "CUSTOM_A-B", "NOT_A_TRAIT",
                                   "CUSTOM_" + "X" * 300])
def test_bad_traits_are_refused(trait):
    refused({"actions": [{"action": "add-trait", "name": trait}]}, "not a trait")


def test_standard_and_custom_traits_are_accepted():
    validate_rule({"actions": [{"action": "add-trait", "name": "HW_CPU_X86_AVX2"},
                               {"action": "remove-trait", "name": "CUSTOM_BIG_1"}]})


@pytest.mark.parametrize("cap", [{"name": "a:b"}, {"name": "a,b"}, {"name": ""},
                                 {"name": "p", "value": "x,y"}, {"name": "p", "value": ""}])
def test_capabilities_that_break_the_string_are_refused(cap):
    refused({"actions": [{"action": "set-capability", **cap}]}, "set-capability")


def test_overlong_pattern_is_refused():
    refused({"conditions": [{"op": "matches", "field": "x", "value": "a" * 1001}],
             "actions": [ACTION]}, "at most 1000")


# Runs in a child process: a backtracking ``re`` match holds the GIL, so only a
# process can be stopped when the bound does not hold.
_APPLY = """
import sys
from discoverd import exception
from discoverd.node_info import NodeInfo
from discoverd.rules.engine import apply_rules, validate_rule
rule = validate_rule({"conditions": [{"op": "matches", "field": "s", "value": sys.argv[1]}],
                      "actions": [{"action": "set-attribute", "path": "/extra/x", "value": 1}]})
node = NodeInfo.from_ironic({"id": "n1", "properties": {}, "extra": {}}, [])
try:
    print("applied", apply_rules([rule], node, {"s": "a" * 5000 + "!"}))
except exception.RuleFailed as exc:
    print("failed", exc)
"""


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(a|a)+$", r"(a|aa)+$"])
def test_catastrophic_regex_fails_the_rule_in_bounded_time(pattern):
    """A backtracking pattern against a long value ends (no match or RuleFailed) quickly."""
    limit = 15  # seconds: a few timeouts plus interpreter start-up
    try:
        done = subprocess.run([sys.executable, "-c", _APPLY, pattern], capture_output=True,
                              text=True, timeout=limit, check=True,
                              cwd=Path(__file__).parents[4])
    except subprocess.TimeoutExpired:
        pytest.fail(f"regex {pattern} still matching after {limit} s")
    out = done.stdout.strip()
    assert out == "applied []" or ("failed" in out and "took more than" in out), out


@pytest.mark.parametrize("body", [
    {"conditions": [{**COND, "op": ["eq"]}], "actions": [ACTION]},
    {"conditions": [{**COND, "op": {"eq": 1}}], "actions": [ACTION]},
    {"actions": [{**ACTION, "path": "/driver_info/../x"}]},
    {"actions": [{"action": {"x": 1}}]}])
def test_api_answers_400_with_a_message(client, body):
    r = client.post("/v1/rules", json=body)
    assert r.status_code == 400, r.json
    assert "Invalid input" in r.json["error"]["message"]
    assert client.get("/v1/rules").json["rules"] == []
