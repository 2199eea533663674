"""What ``ahc_rules`` takes from ``hardware`` (python-hardware) beyond its public API.

``ahc_rules.functions`` parses spec functions with ``hardware.matcher._FUNC_REGEXP``,
finds a function the way hardware does (a module-level ``_<name>``) and runs nested
functions through ``hardware.matcher._call_func(function, value, match)``, so that
their semantics stay hardware's. These tests fail, naming what changed, when hardware changes them.
"""

import inspect

from hardware import matcher

from ahc_rules.functions import FUNCTIONS

REVISIT = "revisit ahc_rules/functions.py (and the equivalence tests of ahc_rules.matcher)"


def test_function_regexp_still_splits_name_and_arguments():
    regexp = getattr(matcher, "_FUNC_REGEXP", None)
    assert regexp is not None, "hardware removed matcher._FUNC_REGEXP; " + REVISIT
    found = regexp.search("range(1, 8)")
    assert found is not None and found.group(1) == "range" and found.group(2) == "1", (
        f"hardware.matcher._FUNC_REGEXP ({regexp.pattern!r}) no longer splits "
        f"'range(1, 8)' into name and first argument; " + REVISIT)
    assert (found.group(3) or "").strip(" ,") == "8", REVISIT


def test_every_function_we_allow_is_a_private_function_of_the_matcher():
    missing = [name for name in FUNCTIONS if not callable(vars(matcher).get("_" + name))]
    assert not missing, (
        f"hardware.matcher no longer defines _{', _'.join(missing)}; " + REVISIT)


def test_call_func_still_takes_name_value_and_match():
    call = getattr(matcher, "_call_func", None)
    assert call is not None, "hardware removed matcher._call_func; " + REVISIT
    params = list(inspect.signature(call).parameters)
    assert len(params) == 3, f"hardware.matcher._call_func now takes {params}; " + REVISIT
    res = matcher._FUNC_REGEXP.search("gt(4)")
    assert call(matcher._gt, "5", res) and not call(matcher._gt, "3", res), (
        "hardware.matcher._call_func(_gt, value, match) no longer compares the value "
        "with the function's argument; " + REVISIT)
