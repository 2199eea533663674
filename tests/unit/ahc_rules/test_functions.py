import pytest

from ahc_rules.exception import RuleFileError
from ahc_rules.functions import compile_function
from ahc_rules.rules_parser import SpecLine

SPEC = SpecLine(("a", "b", "c", "d"), "f.specs", 7)


@pytest.mark.parametrize("text, yes, no", [
    ("gt(4)", "5", "4"), ("ge(4)", "4", "3.9"), ("lt(4)", "3", "4"), ("le(4)", "4", "4.1"),
    ("range(2, 4)", "3", "5"), ("in('a', 'b')", "b", "c"), ("regexp(^sd[ab]$)", "sda", "sdc"),
    ("network(10.0.0.0/8)", "10.1.2.3", "11.0.0.1"), ("not(gt(4))", "3", "5"),
    ("and(gt(1), lt(5))", "3", "6"), ("or(lt(1), gt(5))", "6", "3"),
])
def test_functions(text, yes, no):
    fn = compile_function(text, SPEC)
    assert fn(yes) is True
    assert fn(no) is False


def test_non_numbers_do_not_match_instead_of_raising():
    assert compile_function("gt(4)", SPEC)("abc") is False
    assert compile_function("network(10.0.0.0/8)", SPEC)("eth0") is False
    assert compile_function("and(gt(1), lt(5))", SPEC)("abc") is False


def test_values_hardware_would_unquote_take_its_path():
    assert compile_function("gt(4)", SPEC)("'5'") is True


def test_not_a_call_or_unknown_capitalised_name_is_no_function():
    assert compile_function("Xeon(R)", SPEC) is None
    assert compile_function("abc", SPEC) is None


@pytest.mark.parametrize("text, reason", [
    ("gte(4)", "unknown function gte"),
    ("gt(4, 5)", "takes 1 argument"),
    ("or(ge(1), range(1, 2))", "takes 2 argument"),
    ("gt(four)", "bad argument for gt"),
    ("regexp([)", "bad regular expression"),
    ("network(10.0.0.1/8)", "bad argument for network"),
])
def test_bad_function_text(text, reason):
    with pytest.raises(RuleFileError, match=reason) as exc:
        compile_function(text, SPEC)
    assert str(exc.value).startswith("f.specs:7:")
