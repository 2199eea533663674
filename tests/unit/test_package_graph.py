"""No import cycles: between top-level packages, between the subpackages of one, or
between modules.

Every ``import`` counts, also one inside a function or under ``TYPE_CHECKING``: a
lazy import hides a cycle from Python, not from the reader. The graph is read with
``ast`` from the source tree, nothing is imported.
"""

from __future__ import annotations

import ast
import graphlib
from collections.abc import Iterable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOT_PRODUCT = {"tests", "bench", "devstack", "packaging", "scripts", "etc"}
#: The leaf every deliverable may use; it may use none of them.
SHARED = "baremetal_common"


def top_packages() -> list[str]:
    return sorted(p.name for p in REPO.iterdir()
                  if (p / "__init__.py").is_file() and p.name not in NOT_PRODUCT)


def modules() -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, is a package) for every module of the top packages."""
    found = {}
    for top in top_packages():
        for path in (REPO / top).rglob("*.py"):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _owner(name: str, known: dict) -> str | None:
    """The longest known module that ``name`` is or lies in (None: third party)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def _targets(node: ast.AST, package: str, known: dict) -> Iterable[str | None]:
    if isinstance(node, ast.Import):
        yield from (_owner(alias.name, known) for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            parts = package.split(".")[:len(package.split(".")) - node.level + 1]
            base = ".".join([*parts, *([node.module] if node.module else [])])
        for alias in node.names:
            full = f"{base}.{alias.name}"
            yield full if full in known else _owner(base, known)


def module_graph() -> dict[str, set[str]]:
    """Module -> the first-party modules it imports."""
    known = modules()
    graph = {}
    for name, (path, is_package) in known.items():
        package = name if is_package else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(), str(path))
        graph[name] = {t for node in ast.walk(tree)
                       for t in _targets(node, package, known) if t and t != name}
    return graph


def collapse(graph: dict[str, set[str]], unit) -> dict[str, set[str]]:
    """The graph between ``unit(module)`` groups (edges inside one group dropped)."""
    out: dict[str, set[str]] = {}
    for src, dsts in graph.items():
        for dst in dsts:
            a, b = unit(src), unit(dst)
            if a is not None and b is not None and a != b:
                out.setdefault(a, set()).add(b)
    return out


def assert_acyclic(graph: dict[str, set[str]], what: str) -> None:
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        cycle = " -> ".join(exc.args[1][::-1])
        raise AssertionError(f"import cycle between {what}: {cycle}") from None


GRAPH = module_graph()
KNOWN = modules()


def _top(name: str) -> str:
    return name.split(".")[0]


def _subpackage(top: str):
    """Group a module of ``top`` by its subpackage (a module directly in ``top``
    stands for itself); modules of other top packages are left out."""
    def unit(name: str) -> str | None:
        if _top(name) != top:
            return None
        two = ".".join(name.split(".")[:2])
        return two if KNOWN.get(two, (None, False))[1] else name
    return unit


def test_the_graph_is_read():
    assert {"ironic_tripleo", "discoverd", "ahc_rules", "ramdisk", SHARED} <= set(
        top_packages())
    assert "ironic_tripleo.deploy.target" in GRAPH["ironic_tripleo.deploy.writer"]
    assert f"{SHARED}.cloud" in GRAPH["discoverd.ironic"]


def test_no_cycle_between_top_level_packages():
    assert_acyclic(collapse(GRAPH, _top), "top-level packages")


@pytest.mark.parametrize("top", top_packages())
def test_no_cycle_between_subpackages(top):
    assert_acyclic(collapse(GRAPH, _subpackage(top)), f"the subpackages of {top}")


def test_no_cycle_between_modules():
    assert_acyclic(GRAPH, "modules")


def test_the_shared_package_is_a_leaf():
    used = {_top(dst) for src, dsts in GRAPH.items() if _top(src) == SHARED
            for dst in dsts} - {SHARED}
    assert not used, f"{SHARED} imports {sorted(used)}"


def test_a_cycle_is_reported():
    """The check itself can fail: a cycle through a lazy import is named."""
    graph = {"a.x": {"b.y"}, "b.y": {"a.z"}, "a.z": set()}
    with pytest.raises(AssertionError, match="a -> b -> a|b -> a -> b"):
        assert_acyclic(collapse(graph, _top), "top-level packages")
    tree = ast.parse("def f():\n    from ..deploy import writer\n")
    known = {"p.deploy": None, "p.deploy.writer": None}
    assert list(_targets(tree.body[0].body[0], "p.cli", known)) == ["p.deploy.writer"]
