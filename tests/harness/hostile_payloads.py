"""Hypothesis strategies for hostile JSON: what found discoverd's 5xx and stuck records.

Shared by the unit fuzzing (Flask test client) and the bounded run against a real
discoverd and a real Ironic. Bodies are serialised by ``dumps`` (NaN, Infinity and
lone surrogates written as Python's ``json`` writes them: ``NaN``, ``"\\ud800"``).
"""

import json
from typing import Any

from hypothesis import strategies as st

from tests.harness.discoverd_payloads import ramdisk_payload

#: Lone UTF-16 surrogates, alone or inside other text.
surrogates = st.builds(lambda a, s, b: a + s + b, st.text(max_size=5),
                       st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
                       st.text(max_size=5))
#: Integers around and far beyond every range (64-bit, plausible sizes, JSON doubles).
huge_numbers = st.one_of(
    st.integers(min_value=2 ** 31, max_value=10 ** 45), st.integers(max_value=-1),
    st.sampled_from([2 ** 53 + 1, 2 ** 63, 2 ** 64, 10 ** 40, -(2 ** 63) - 1]),
    st.sampled_from([float("inf"), float("-inf"), float("nan"), 1e308, -0.0, 1.5]))


class Deep:
    """A value nested ``depth`` lists (or objects) deep, written out only by ``dumps``
    (building it as Python objects would hit the recursion limit in the encoder)."""

    def __init__(self, depth: int, kind: str = "list") -> None:
        self.depth, self.kind = depth, kind

    def __repr__(self) -> str:
        return f"Deep({self.depth}, {self.kind!r})"

    def text(self) -> str:
        opening, closing = ("[", "]") if self.kind == "list" else ('{"k":', "}")
        return opening * self.depth + '"x"' + closing * self.depth


#: Nesting from just under to far beyond the accepted depth.
deep = st.builds(Deep, st.integers(min_value=10, max_value=5000),
                 st.sampled_from(["list", "dict"]))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=4),
    max_leaves=15)
#: Any hostile value: wrong types, surrogates, huge numbers, deep nesting.
hostile_values = st.one_of(json_values, surrogates, huge_numbers, deep)

#: Where a value can be replaced in a ramdisk payload (every level of the schema).
PATHS = [("inventory",), ("inventory", "interfaces"), ("inventory", "interfaces", 0),
         ("inventory", "interfaces", 0, "mac_address"), ("inventory", "interfaces", 0, "name"),
         ("inventory", "interfaces", 0, "ipv4_address"), ("inventory", "cpu"),
         ("inventory", "cpu", "count"), ("inventory", "cpu", "architecture"),
         ("inventory", "cpu", "flags"), ("inventory", "cpu", "flags", 0),
         ("inventory", "memory"), ("inventory", "memory", "physical_mb"),
         ("inventory", "memory", "total"), ("inventory", "disks"),
         ("inventory", "disks", 0), ("inventory", "disks", 0, "size"),
         ("inventory", "disks", 0, "name"), ("inventory", "bmc_address"),
         ("inventory", "bmc_v6address"), ("inventory", "system_vendor"),
         ("inventory", "system_vendor", "product_name"), ("inventory", "boot"),
         ("data",), ("data", 0), ("data", 0, 0), ("data", 0, 3), ("boot_interface",),
         ("error",), ("logs",)]


def mutate(payload: dict[str, Any], path: tuple, value: Any) -> dict[str, Any]:
    """Set ``value`` at ``path`` in ``payload`` (in place); return the payload."""
    target: Any = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return payload


def hostile_payload(macs: list[str]):
    """A real-looking payload for ``macs`` with one or two values made hostile."""
    return st.builds(
        lambda muts: _apply(ramdisk_payload(macs), muts),
        st.lists(st.tuples(st.sampled_from(PATHS), hostile_values), min_size=1, max_size=2))


def _apply(payload: dict[str, Any], mutations: list[tuple[tuple, Any]]) -> dict[str, Any]:
    for path, value in mutations:
        try:
            mutate(payload, path, value)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier mutation replaced the parent
    return payload


def dumps(value: Any) -> bytes:
    """Serialise like a careless client: NaN/Infinity literals, escaped surrogates,
    ``Deep`` values written out in full."""
    deep: dict[str, Deep] = {}

    def placeholder(obj: Any) -> str:
        if not isinstance(obj, Deep):
            raise TypeError(repr(obj))
        key = f"\x00deep{len(deep)}\x00"
        deep[key] = obj
        return key

    text = json.dumps(value, default=placeholder)
    for key, obj in deep.items():
        text = text.replace(json.dumps(key), obj.text())
    return text.encode()


#: Rule bodies with hostile parts at every level.
conditions = st.fixed_dictionaries(
    {"op": st.one_of(st.sampled_from(["eq", "lt", "matches", "contains", "is-empty",
                                      "in-net"]), hostile_values),
     "field": st.one_of(st.sampled_from(["memory_mb", "node://properties.cpus",
                                         "inventory.disks[*].name"]), hostile_values)},
    optional={"value": hostile_values, "multiple": hostile_values,
              "invert": hostile_values})
actions = st.one_of(
    st.fixed_dictionaries(
        {"action": st.one_of(st.sampled_from(["set-attribute", "extend-attribute",
                                              "set-capability", "add-trait", "fail"]),
                             hostile_values)},
        optional={"path": st.one_of(st.sampled_from(["/extra/x", "/driver_info/../x",
                                                     "/extra/a b", "/properties/cpus"]),
                                    hostile_values),
                  "value": hostile_values, "name": hostile_values,
                  "message": hostile_values}),
    hostile_values)
rules = st.one_of(hostile_values, st.fixed_dictionaries(
    {"conditions": st.lists(conditions, max_size=2), "actions": st.lists(actions, max_size=2)},
    optional={"uuid": hostile_values, "description": hostile_values}))

#: Plausible ranges of what discoverd may write into a node's properties.
PROPERTY_RANGES = {"cpus": (1, 65536), "memory_mb": (1, 2 ** 32), "local_gb": (0, 2 ** 30)}


def properties_in_range(properties: dict[str, Any]) -> bool:
    """Whether the scheduling properties present are integers in plausible ranges."""
    for key, (low, high) in PROPERTY_RANGES.items():
        value = properties.get(key)
        if value is not None and not (isinstance(value, int) and low <= value <= high):
            return False
    return True
