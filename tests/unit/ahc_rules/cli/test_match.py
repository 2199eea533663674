import json

from ahc_rules.cli import match as cli
from ahc_rules.rules_parser import parse_cmdb


def test_table_explain_emit_and_cmdb_saved(rules_dir, facts_dir, tmp_path, capsys):
    code = cli.main(["--rules", str(rules_dir), "--facts", str(facts_dir),
                     "--explain", "node-00001", "--emit", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code in (0, 1)
    assert "overcloud-controller-0" in out and "counts: control: 3" in out
    assert "node-00001:" in out and "did not match; seen:" in out
    assert (tmp_path / "out" / "overcloud-roles.yaml").exists()
    saved = parse_cmdb((rules_dir / "control.cmdb").read_text(), "control.cmdb")
    assert all(entry.get("used") == 1 for entry in saved)
    assert (rules_dir / "control.cmdb.orig").exists()


def test_json_dry_run_writes_nothing(rules_dir, facts_dir, capsys):
    before = (rules_dir / "control.cmdb").read_text()
    cli.main(["--rules", str(rules_dir), "--facts", str(facts_dir), "--json", "--dry-run",
              "--explain", "node-00002"])
    data = json.loads(capsys.readouterr().out)
    assert len(data["assignments"]) == 40
    assert data["explain"]["reasons"][0]["role"] == "control"
    assert (rules_dir / "control.cmdb").read_text() == before


def test_errors_exit_2(rules_dir, facts_dir, capsys):
    (rules_dir / "state").write_text("[('control', os)]")
    assert cli.main(["--rules", str(rules_dir), "--facts", str(facts_dir)]) == 2
    assert "state:1: 'os' is not allowed" in capsys.readouterr().err


def test_unknown_explain_node(rules_dir, facts_dir, capsys):
    assert cli.main(["--rules", str(rules_dir), "--facts", str(facts_dir), "--dry-run",
                     "--explain", "ghost"]) == 2
    assert "no node named 'ghost'" in capsys.readouterr().err
