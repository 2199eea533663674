import pytest

from ahc_rules.exception import RuleFileError, RulesDirError
from ahc_rules.rules_dir import load_rules


def test_examples_load(rules_dir):
    rules = load_rules(rules_dir)
    assert [r.name for r in rules.roles] == ["control", "ceph-storage", "block-storage",
                                            "swift-storage", "compute"]
    assert rules.counts["control"] == 3 and rules.counts["compute"] is None
    assert len(rules.role("control").cmdb) == 3
    assert rules.role("compute").cmdb is None
    assert rules.role("control").spec_lines[0].line == 4
    with pytest.raises(KeyError):
        rules.role("nope")


def test_missing_pieces(tmp_path, rules_dir):
    with pytest.raises(RulesDirError, match="not a directory"):
        load_rules(tmp_path / "nope")
    with pytest.raises(RulesDirError, match="no 'state' file"):
        load_rules(tmp_path)
    (rules_dir / "compute.specs").unlink()
    with pytest.raises(RulesDirError, match="role 'compute' has no compute.specs"):
        load_rules(rules_dir)


def test_errors_name_the_file(rules_dir):
    (rules_dir / "compute.specs").write_text("[('cpu', 'logical', 'number', 'gte(4)')]")
    with pytest.raises(RuleFileError, match="compute.specs:1: unknown function gte"):
        load_rules(rules_dir)
    (rules_dir / "compute.specs").write_text("[]")
    (rules_dir / "control.cmdb").write_text("[{'ip': ip}]")
    with pytest.raises(RuleFileError, match="control.cmdb:1: 'ip' is not allowed"):
        load_rules(rules_dir)
