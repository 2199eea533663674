"""The agent is a deliverable of its own: its imports and declared dependencies.

Importing every module of ``ramdisk`` must never reach ironic, flask, sqlalchemy, oslo,
matplotlib or the conductor/discoverd/ahc packages (they are not in the image), and
``packaging/ramdisk-agent`` must declare exactly what the agent imports.
"""

import ast
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "ramdisk"
DIST = ROOT / "packaging" / "ramdisk-agent"
BLOCKED = ("ironic", "ironic_tripleo", "discoverd", "ahc_rules", "flask", "sqlalchemy",
           "matplotlib", "oslo_config", "oslo_service", "oslo_log", "oslo_utils",
           "openstack", "keystonemiddleware", "alembic", "pyghmi", "stevedore", "yaml")
# import name -> distribution name in pyproject.toml
DISTRIBUTIONS = {"psutil": "psutil", "requests": "requests", "tenacity": "tenacity",
                 "pyudev": "pyudev", "netifaces": "netifaces", "hardware": "hardware"}

IMPORT_ALL = """
import importlib, importlib.abc, json, pkgutil, sys
BLOCKED = set(json.loads(sys.argv[1]))

class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"the agent must not import {name}")
        return None

sys.meta_path.insert(0, Blocker())
import ramdisk
names = [m.name for m in pkgutil.walk_packages(ramdisk.__path__, "ramdisk.")]
for name in names:
    importlib.import_module(name)
from ramdisk import cmd
cmd.build_parser().parse_args(["discover", "--dry-run"])
print(json.dumps({"imported": names,
                  "loaded": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def test_every_agent_module_imports_without_the_conductor_stack():
    result = subprocess.run([sys.executable, "-c", IMPORT_ALL, json.dumps(BLOCKED)],
                            capture_output=True, text=True, cwd=ROOT, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert "ramdisk.deploy.command_api" in report["imported"]
    assert "ramdisk.boot" in report["imported"]
    assert not set(BLOCKED) & set(report["loaded"])


def test_the_blocker_does_block():
    code = IMPORT_ALL.replace("import ramdisk\n", "import ramdisk\nimport flask\n", 1)
    result = subprocess.run([sys.executable, "-c", code, json.dumps(BLOCKED)],
                            capture_output=True, text=True, cwd=ROOT, timeout=120,
                            check=False)
    assert result.returncode != 0 and "must not import flask" in result.stderr


def _third_party_imports() -> set[str]:
    stdlib = set(sys.stdlib_module_names)
    found = set()
    for path in PACKAGE.rglob("*.py"):
        if "image" in path.relative_to(PACKAGE).parts:
            continue  # the image builder runs on the build host, not in the agent
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found.update(n.split(".")[0] for n in names)
    return {n for n in found if n not in stdlib and n not in ("ramdisk", "__future__")}


def test_distribution_declares_what_the_agent_imports():
    project = tomllib.loads((DIST / "pyproject.toml").read_text())["project"]
    declared = {dep.split(">")[0].split("=")[0].split("<")[0].strip()
                for dep in project["dependencies"]}
    imports = _third_party_imports()
    assert imports <= set(DISTRIBUTIONS), f"undeclared import map for {imports}"
    assert {DISTRIBUTIONS[i] for i in imports} <= declared
    for name in ("ironic", "flask", "sqlalchemy", "matplotlib", "oslo.config"):
        assert not any(d.lower().startswith(name) for d in declared)
    assert (DIST / "ramdisk").resolve() == PACKAGE


@pytest.mark.parametrize("bound, debian", [("psutil>=5.9", "5.9.4"),
                                           ("requests>=2.28", "2.28.1"),
                                           ("tenacity>=8.2", "8.2.1"),
                                           ("pyudev>=0.24", "0.24.0")])
def test_lower_bounds_admit_debian_bookworm(bound, debian):
    project = tomllib.loads((DIST / "pyproject.toml").read_text())["project"]
    assert bound in project["dependencies"]
    floor = tuple(int(x) for x in bound.split(">=")[1].split("."))
    assert tuple(int(x) for x in debian.split("."))[:len(floor)] >= floor
