"""A writable copy of ``ahc_rules/examples`` (the rules directory shipped with ahc_rules)."""

import shutil
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "ahc_rules" / "examples"


def copy_examples(parent: Path) -> Path:
    """Copy the example rules to ``parent/rules``; return that directory."""
    target = parent / "rules"
    shutil.copytree(EXAMPLES, target)
    return target
