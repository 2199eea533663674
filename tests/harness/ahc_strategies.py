"""Hypothesis strategies for ahc facts and rule spec lines (small alphabets, so that
random specs often match random facts): ``FACT`` is one (class, name, key, value)
tuple; ``SPEC`` one spec line whose fields may be literals, ``$variables`` or
functions such as ``gt(4)``. Used by the matcher equivalence and memo tests.
"""

from hypothesis import strategies as st

CLASSES = st.sampled_from(["disk", "cpu", "net"])
NAMES = st.sampled_from(["sda", "sdb", "eth0", "1"])
KEYS = st.sampled_from(["size", "model", "ip"])
VALUES = st.sampled_from(["1", "5", "10", "100", "abc", "10.0.0.3", "192.168.1.9", "X(1)",
                          "'5'"])
FACT = st.tuples(CLASSES, NAMES, KEYS, VALUES)

VARS = st.sampled_from(["$a", "$b", "$$h", "$c"])
FUNCS = st.sampled_from([
    "gt(4)", "ge(5)", "lt(50)", "le(10)", "range(2, 20)", "in('abc', '5')", "in(1, 10)",
    "regexp(^1)", "regexp(b)", "network(10.0.0.0/24)", "not(gt(7))", "and(gt(1), lt(50))",
    "or(lt(2), gt(50))", "X(1)",
])
VARFUNCS = st.builds(lambda v, f: f"{v}={f}", st.sampled_from(["$a", "$b", "$$h"]), FUNCS)


def field(literals):
    return st.one_of(literals, VARS, FUNCS, VARFUNCS)


SPEC = st.tuples(field(CLASSES), field(NAMES), field(KEYS), field(VALUES))
