"""Every exception class lives in its package's exception module (HACKING, "Errors").

Read from the source (no imports): a class counts as an exception when one of its
bases is a builtin exception, a class of an ``exception.py``/``errors.py`` module, or
another class found this way; such a class anywhere else is reported.
"""

import ast
import builtins
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("ironic_tripleo", "baremetal_common", "discoverd", "ahc_rules", "ramdisk")
HOMES = ("exception.py", "errors.py")


def _base_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _classes() -> list[tuple[Path, ast.ClassDef]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(), str(path))
            found += [(path, n) for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    return found


def misplaced_exceptions() -> list[str]:
    exceptions = {name for name in dir(builtins)
                  if isinstance(getattr(builtins, name), type)
                  and issubclass(getattr(builtins, name), BaseException)}
    classes = _classes()
    exceptions |= {c.name for path, c in classes if path.name in HOMES}
    outside = [(path, c) for path, c in classes if path.name not in HOMES]
    misplaced: dict[str, str] = {}
    grew = True
    while grew:  # a class deriving from a misplaced one is an exception too
        grew = False
        for path, cls in outside:
            key = f"{path.relative_to(ROOT)}:{cls.lineno} {cls.name}"
            if key not in misplaced and {_base_name(b) for b in cls.bases} & exceptions:
                misplaced[key] = cls.name
                exceptions.add(cls.name)
                grew = True
    return sorted(misplaced)


def test_exceptions_live_in_exception_modules():
    assert misplaced_exceptions() == [], (
        "move these into their package's exception module (keep the name importable "
        "where it was if callers use it)")
