import pytest

from ahc_rules.exception import RuleFileError, UnsafeRuleError
from ahc_rules.rules_parser import parse_cmdb, parse_literal, parse_specs, parse_state


def test_specs_parse_with_lines_and_numbers_as_strings():
    text = "[\n ('cpu', 'logical', 'number', 4),\n ('disk', '$d', 'size', 'gt(1)'),\n]"
    specs = parse_specs(text, "x.specs")
    assert [s.fields for s in specs] == [("cpu", "logical", "number", "4"),
                                        ("disk", "$d", "size", "gt(1)")]
    assert [s.line for s in specs] == [2, 3]
    assert specs[0].filename == "x.specs"


def test_missing_comma_is_a_call_and_refused():
    with pytest.raises(UnsafeRuleError, match="x.specs:1:"):
        parse_specs("[('a', 'b', 'c', 'd')\n ('e', 'f', 'g', 'h')]", "x.specs")


def test_comments_are_fine():
    assert parse_specs("# c\n[('a', 'b', 'c', 'd')]  # e\n", "x")[0].fields == ("a", "b", "c", "d")


@pytest.mark.parametrize("text, line, near", [
    ("[('a', 'b', 'c', 'd'),\n ('e', 'f', 'g', 'h'),,\n]", 2, "','"),
    ("[('a', 'b', 'c', 'd'),\n ('e', 'f', 'g', 'h'))]", 2, "')'"),
])
def test_syntax_error_names_file_line_and_token(text, line, near):
    with pytest.raises(RuleFileError) as exc:
        parse_specs(text, "bad.specs")
    assert str(exc.value).startswith(f"bad.specs:{line}: syntax error")
    assert near in str(exc.value)


@pytest.mark.parametrize("text, token", [
    ("[('a', 'b', 'c', __import__('os').system('id'))]", "__import__('os').system('id')"),
    ("[('a', 'b', 'c', os.name)]", "os.name"),
    ("[('a', 'b', 'c', (lambda: 1)())]", "(lambda: 1)()"),
    ("[('a', 'b', 'c', name)]", "name"),
    ("[('a', 'b', 'c', 'x' + 'y')]", "'x' + 'y'"),
    ("[('a', 'b', 'c', f'{x}')]", "f'{x}'"),
    ("[('a', 'b', 'c', [i for i in 'ab'])]", "[i for i in 'ab']"),
    ("[('a', 'b', 'c', {1, 2})]", "{1, 2}"),
    ("[('a', 'b', 'c', None)]", "None"),
    ("[('a', 'b', 'c', True)]", "True"),
    ("[('a', 'b', 'c', generate({'a': '1-2'}))]", "generate({'a': '1-2'})"),
    ("[('a', 'b', 'c', -x)]", "-x"),
    ("{**x}", "{**x}"),
])
def test_code_is_rejected(text, token):
    with pytest.raises(UnsafeRuleError) as exc:
        parse_specs(text, "evil.specs")
    assert f"evil.specs:1: {token!r} is not allowed" in str(exc.value)


def test_code_in_cmdb_and_state_is_rejected():
    with pytest.raises(UnsafeRuleError):
        parse_cmdb("[{'ip': __import__('os').getcwd()}]", "c.cmdb")
    with pytest.raises(UnsafeRuleError):
        parse_cmdb("os.system('id')", "c.cmdb")
    with pytest.raises(UnsafeRuleError):
        parse_state("[('control', eval('3'))]", "state")


@pytest.mark.parametrize("text, reason", [
    ("{'a': 1}", "must hold a list"),
    ("[('a', 'b', 'c')]", "4-tuple"),
    ("['abcd']", "4-tuple"),
    ("[('a', 'b', 'c', '')]", "empty string"),
    ("[('a', 'b', 'c', ['x'])]", "strings or numbers"),
])
def test_bad_specs_shapes(text, reason):
    with pytest.raises(RuleFileError, match=reason):
        parse_specs(text, "s.specs")


def test_negative_numbers_and_nesting_are_literals():
    assert parse_literal("[-1, +2.5, {'a': (1, [2])}]", "x")[0] == [-1, 2.5, {"a": (1, [2])}]


def test_state():
    entries = parse_state("[('control', '3'),\n ('compute', '*'), ('ceph', 2)]", "state")
    assert [(e.role, e.count, e.line) for e in entries] == [
        ("control", 3, 1), ("compute", None, 2), ("ceph", 2, 2)]


@pytest.mark.parametrize("text, reason", [
    ("[('control', 'three')]", "must be '\\*' or a whole number"),
    ("[('control', -1)]", "negative"),
    ("[('../etc', '1')]", "role name"),
    ("[('a', '1'), ('a', '2')]", "listed twice"),
    ("[('a', '1', 'x')]", "pair"),
    ("'control'", "must hold a list"),
])
def test_bad_state(text, reason):
    with pytest.raises(RuleFileError, match=reason):
        parse_state(text, "state")


def test_cmdb_list_and_generate():
    assert parse_cmdb("[{'hostname': 'a'}]", "c") == [{"hostname": "a"}]
    entries = parse_cmdb("generate({'hostname': 'host01-03', 'ip': '10.0.0.1-3', 'gw': 'g'})",
                         "c")
    assert entries == [{"hostname": f"host0{i}", "ip": f"10.0.0.{i}", "gw": "g"}
                       for i in (1, 2, 3)]


@pytest.mark.parametrize("text, reason", [
    ("generate({'a': '1-2'}, 'x')", "exactly one dict"),
    ("generate(a='1-2')", "exactly one dict"),
    ("generate({'h': 'host1-99999999'})", "wider than"),
    ("[{'a': 1}, 'b']", "must be a dict"),
])
def test_bad_cmdb(text, reason):
    with pytest.raises(RuleFileError, match=reason):
        parse_cmdb(text, "c.cmdb")


def test_only_generate_may_be_called():
    with pytest.raises(UnsafeRuleError) as exc:
        parse_cmdb("open('x')", "c.cmdb")
    assert "c.cmdb:1: \"open('x')\" is not allowed" in str(exc.value)
