"""Rule conditions, actions, validation and application."""

import pytest

from discoverd import exception
from discoverd.node_info import NodeInfo
from discoverd.rules import conditions, fields
from discoverd.rules.engine import apply_rules, validate_rule

DATA = {"memory_mb": 8192, "inventory": {"interfaces": [
    {"name": "eth0", "ipv4_address": "198.51.100.5"}, {"name": "eth1", "ipv4_address": None}],
    "system_vendor": {"manufacturer": "Dell Inc."}, "disks": []}}
NODE = {"properties": {"cpus": 4}, "extra": {}, "traits": []}


def cond(op, field, value=None, **kw):
    c = {"op": op, "field": field, **kw}
    if value is not None:
        c["value"] = value
    conditions.validate(c)
    return conditions.check(c, NODE, DATA)


@pytest.mark.parametrize(("op", "field", "value", "expected"), [
    ("eq", "memory_mb", 8192, True), ("eq", "memory_mb", "8192", True),
    ("ne", "memory_mb", 1, True), ("lt", "memory_mb", 9000, True),
    ("le", "memory_mb", 8192, True), ("gt", "node://properties.cpus", 4, False),
    ("ge", "node://properties.cpus", 4, True), ("eq", "missing", 1, False),
    ("in-net", "inventory.interfaces[0].ipv4_address", "198.51.100.0/24", True),
    ("in-net", "inventory.interfaces[*].ipv4_address", "203.0.113.0/24", False),
    ("matches", "inventory.system_vendor.manufacturer", "Dell.*", True),
    ("matches", "inventory.system_vendor.manufacturer", "Dell", False),
    ("contains", "inventory.system_vendor.manufacturer", "ell", True),
    ("eq", "memory_mb", "lots", False),
])
def test_ops(op, field, value, expected):
    assert cond(op, field, value) is expected


def test_is_empty_multiple_and_invert():
    assert cond("is-empty", "inventory.disks") is True
    assert cond("is-empty", "nothing.here") is True
    assert cond("is-empty", "memory_mb") is False
    assert cond("is-empty", "inventory.interfaces[*].ipv4_address") is False
    field = "inventory.interfaces[*].ipv4_address"
    assert cond("in-net", field, "198.51.100.0/24", multiple="any") is True
    assert cond("in-net", field, "198.51.100.0/24", multiple="all") is False
    assert cond("in-net", field, "198.51.100.0/24", multiple="first") is True
    assert cond("eq", "memory_mb", 8192, invert=True) is False


def test_field_parse_errors():
    assert fields.parse("node://a.b[2][*]") == ("node", ["a", "b", 2, "*"])
    for bad in ("", "ftp://x", "a[x]", 5):
        with pytest.raises(ValueError):
            fields.parse(bad)


@pytest.mark.parametrize(("body", "message"), [
    ([], "JSON object"),
    ({"actions": []}, "non-empty list of actions"),
    ({"actions": [{"action": "explode"}]}, "unknown action 'explode'"),
    ({"actions": [{"action": "fail"}]}, "needs parameter 'message'"),
    ({"actions": [{"action": "fail", "message": 1}]}, "wrong type"),
    ({"actions": [{"action": "fail", "message": "x", "extra": 1}]}, "unknown parameters"),
    ({"actions": [{"action": "set-attribute", "path": "/uuid", "value": 1}]}, "cannot be"),
    ({"actions": [{"action": "fail", "message": "m"}], "conditions": [{"op": "xx",
                                                                      "field": "a"}]},
     "unknown condition op 'xx'"),
    ({"actions": [{"action": "fail", "message": "m"}], "conditions": [{"op": "eq",
                                                                      "field": "a"}]},
     "needs a 'value'"),
    ({"actions": [{"action": "fail", "message": "m"}],
      "conditions": [{"op": "matches", "field": "a", "value": "("}]}, "not a valid regex"),
    ({"actions": [{"action": "fail", "message": "m"}],
      "conditions": [{"op": "in-net", "field": "a", "value": "300.1.1.1/8"}]}, "CIDR"),
    ({"actions": [{"action": "fail", "message": "m"}], "uuid": "nope"}, "not a UUID"),
    ({"actions": [{"action": "fail", "message": "m"}], "colour": 1}, "unknown rule keys"),
])
def test_validation_errors_are_400_and_precise(body, message):
    with pytest.raises(exception.InvalidInput, match=message) as err:
        validate_rule(body)
    assert err.value.code == 400


def test_apply_actions():
    rule = validate_rule({"conditions": [{"op": "ge", "field": "memory_mb", "value": 4096}],
                          "actions": [
                              {"action": "set-attribute", "path": "/extra/role", "value": "c"},
                              {"action": "set-capability", "name": "profile",
                               "value": "compute"},
                              {"action": "extend-attribute", "path": "/extra/tags",
                               "value": "x", "unique": True},
                              {"action": "extend-attribute", "path": "/extra/tags",
                               "value": "x", "unique": True},
                              {"action": "add-trait", "name": "CUSTOM_A"},
                              {"action": "remove-trait", "name": "CUSTOM_OLD"}]})
    skipped = validate_rule({"conditions": [{"op": "lt", "field": "memory_mb", "value": 1}],
                             "actions": [{"action": "fail", "message": "never"}]})
    info = NodeInfo.from_ironic({"id": "n1", "properties": {}, "extra": {},
                                 "traits": ["CUSTOM_OLD"]}, [])
    assert apply_rules([rule, skipped], info, DATA) == [rule["uuid"]]
    assert info.node["extra"] == {"role": "c", "tags": ["x"]}
    assert info.capabilities() == {"profile": "compute"}
    assert info.traits_added == {"CUSTOM_A"} and info.traits_removed == {"CUSTOM_OLD"}


def test_fail_action_raises_rule_failed():
    rule = validate_rule({"actions": [{"action": "fail", "message": "too small"}]})
    info = NodeInfo.from_ironic({"id": "n1"}, [])
    with pytest.raises(exception.RuleFailed, match="too small") as err:
        apply_rules([rule], info, DATA)
    assert rule["uuid"] in str(err.value)
