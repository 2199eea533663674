"""Fixtures for ahc_rules tests: a copy of the example rules, synthetic facts files."""

import json
from pathlib import Path

import pytest

from ahc_rules.synthetic import fleet
from tests.harness.ahc_examples import copy_examples


@pytest.fixture
def rules_dir(tmp_path):
    """A writable copy of ahc_rules/examples."""
    return copy_examples(tmp_path)


@pytest.fixture
def facts_dir(tmp_path):
    """40 synthetic nodes, one hardware-detect style JSON file each."""
    target = tmp_path / "facts"
    target.mkdir()
    for name, facts in fleet(40, seed=7).items():
        (target / f"{name}.json").write_text(json.dumps(facts))
    return target


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
