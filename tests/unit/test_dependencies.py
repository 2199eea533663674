"""Each deliverable declares the third-party packages its code imports.

``setup.cfg`` keeps ``install_requires`` to what every deliverable shares
(``baremetal_common``) and gives each deliverable an extra: ``[conductor]`` (the
Ironic plugins), ``[discoverd]``, ``[ahc]`` (role matching), ``[reports]`` (plotting),
``[cli]`` (``ironic-tripleo`` and the OSC plugin), ``[agent]`` (the ramdisk agent,
also ``packaging/ramdisk-agent``), ``[lab]``. ``DELIVERABLE`` says which extras a
module may rely on (longest prefix wins); every module must be covered, and every
module's direct third-party imports must be declared there. Read with ``ast``.
"""

from __future__ import annotations

import ast
import configparser
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DIST = "ironic-tripleo"
TOPS = ("baremetal_common", "ironic_tripleo", "discoverd", "ahc_rules", "ramdisk")

#: module prefix -> the extras it runs with (besides install_requires)
DELIVERABLE: dict[str, tuple[str, ...]] = {
    "baremetal_common": (),
    "ironic_tripleo": ("conductor",),
    "ironic_tripleo.cli": ("cli",),
    "ironic_tripleo.osc": ("cli",),
    "ironic_tripleo.enroll": ("cli",),
    "ironic_tripleo.nodes": ("cli",),
    "ironic_tripleo.vbmc": ("cli",),
    "ironic_tripleo.document_schema": ("cli",),  # enroll's and vbmc's schemas
    "ironic_tripleo.lab": ("lab",),
    "ironic_tripleo.quintupleo": ("conductor", "cli"),  # Nova driver + its vBMC backend
    "discoverd": ("discoverd",),
    "ahc_rules": ("ahc",),
    "ahc_rules.report": ("ahc", "reports"),
    "ahc_rules.hooks.ironic": ("conductor", "ahc"),  # runs inside Ironic's conductor
    "ahc_rules.hooks.discoverd": ("discoverd", "ahc"),  # runs inside discoverd
    "ahc_rules.hooks.options": ("ahc",),
    "ramdisk": ("agent",),
    "ramdisk.image": ("cli",),  # the image builder, run by 'ironic-tripleo ramdisk build'
}

#: modules run only by a side venv's python, and what that venv installs for them
#: beyond .venv (``lab/undercloud/venv.py`` REQUIREMENTS: ``neutron`` brings
#: ``neutron-lib``); ``.venv`` never imports them
SIDE_VENV_IMPORTS: dict[str, set[str]] = {
    "ironic_tripleo.lab.undercloud.ml2_bind_all": {"neutron-lib"},
}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement(line: str) -> tuple[str, set[str]]:
    """``'name[extra,...] >= 1'`` -> (normalised name, extras)."""
    match = re.match(r"\s*([A-Za-z0-9_.-]+)\s*(?:\[([^\]]*)\])?", line)
    assert match, line
    extras = {e.strip() for e in (match.group(2) or "").split(",") if e.strip()}
    return _normal(match.group(1)), extras


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def declared() -> tuple[set[str], dict[str, set[str]]]:
    """(install_requires, extra -> distributions), self-referencing extras expanded."""
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg")
    base = {_requirement(line)[0] for line in _lines(cfg["options"]["install_requires"])}
    raw = {extra: [_requirement(line) for line in _lines(value)]
           for extra, value in cfg["options.extras_require"].items()}

    def expand(extra: str, seen: frozenset = frozenset()) -> set[str]:
        assert extra in raw, f"extra [{extra}] is not declared in setup.cfg"
        out = set()
        for name, extras in raw[extra]:
            if name == _normal(DIST):
                for inner in extras - seen:
                    out |= expand(inner, seen | {extra})
            else:
                out.add(name)
        return out

    return base, {extra: expand(extra) for extra in raw}


def _modules() -> dict[str, Path]:
    found = {}
    for top in TOPS:
        for path in (REPO / top).rglob("*.py"):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _third_party(path: Path) -> set[str]:
    skip = set(sys.stdlib_module_names) | set(TOPS) | {"__future__"}
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names - skip


def deliverable(module: str) -> tuple[str, ...] | None:
    while module:
        if module in DELIVERABLE:
            return DELIVERABLE[module]
        module = module.rpartition(".")[0]
    return None


DISTRIBUTIONS = importlib.metadata.packages_distributions()


def undeclared(modules: dict[str, Path], base: set[str],
               extras: dict[str, set[str]]) -> list[str]:
    """``'module: import (distribution) not in [extras]'`` for every gap."""
    problems = []
    for module, path in sorted(modules.items()):
        wanted = deliverable(module)
        if wanted is None:
            problems.append(f"{module}: no deliverable in DELIVERABLE")
            continue
        allowed = base.union(*(extras[e] for e in wanted), SIDE_VENV_IMPORTS.get(module, ()))
        for name in sorted(_third_party(path)):
            dists = {_normal(d) for d in DISTRIBUTIONS.get(name, [name])}
            if not dists & allowed:
                problems.append(f"{module}: imports {name} ({', '.join(sorted(dists))}), "
                                f"not declared in install_requires or "
                                f"[{', '.join(wanted)}]")
    return problems


def test_every_module_imports_only_what_its_deliverable_declares():
    base, extras = declared()
    problems = undeclared(_modules(), base, extras)
    assert not problems, "\n".join(problems)


def test_an_undeclared_import_is_reported(tmp_path):
    """The check can fail: discoverd importing matplotlib is named."""
    module = tmp_path / "plot.py"
    module.write_text("import os\nfrom matplotlib import pyplot\n")
    base, extras = declared()
    assert undeclared({"discoverd.plot": module}, base, extras) == [
        "discoverd.plot: imports matplotlib (matplotlib), not declared in "
        "install_requires or [discoverd]"]
    assert undeclared({"nowhere.x": module}, base, extras) == [
        "nowhere.x: no deliverable in DELIVERABLE"]


@pytest.mark.parametrize("heavy", ["ironic", "flask", "sqlalchemy", "matplotlib", "pyghmi",
                                   "hardware", "keystonemiddleware"])
def test_install_requires_stays_small(heavy):
    base, _ = declared()
    assert heavy not in base


def test_plotting_only_for_reports():
    _, extras = declared()
    assert [e for e, dists in extras.items()
            if "matplotlib" in dists and e not in ("reports", "test")] == []


def test_make_venv_installs_every_deliverable():
    """``make venv`` installs ``.[test]``: every extra's distributions are in it."""
    _, extras = declared()
    missing = {e: sorted(dists - extras["test"]) for e, dists in extras.items()
               if dists - extras["test"]}
    assert not missing, missing


def test_agent_extra_matches_its_own_distribution():
    project = tomllib.loads(
        (REPO / "packaging" / "ramdisk-agent" / "pyproject.toml").read_text())["project"]
    agent = {_requirement(line)[0] for line in project["dependencies"]}
    _, extras = declared()
    assert extras["agent"] <= agent, sorted(extras["agent"] - agent)


def test_oslo_service_is_not_declared_unused():
    """Nothing of ours imports oslo.service (Ironic brings its own)."""
    base, extras = declared()
    users = [m for m, path in _modules().items() if "oslo_service" in _third_party(path)]
    if not users:
        assert "oslo-service" not in base.union(*extras.values())
