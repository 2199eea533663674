import json
import shutil
from pathlib import Path

import hardware

from ahc_rules.cli import report as cli

SAMPLES = Path(hardware.__file__).parent / "tests" / "cardiff_samples"


def test_report_on_real_cardiff_samples(tmp_path, capsys):
    facts = tmp_path / "facts"
    shutil.copytree(SAMPLES, facts)
    code = cli.main(["--facts", str(facts), "--json", "--plots", str(tmp_path / "plots")])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert sorted(len(g["nodes"]) for g in data["groups"]) == [1, 3, 15]
    statuses = {f["status"] for g in data["groups"] for f in g["figures"]}
    assert statuses == {"SUSPICIOUS", "UNSTABLE"}
    assert all(Path(p).exists() for g in data["groups"] for p in g.get("plots", []))


def test_report_text_and_error(facts_dir, tmp_path, capsys):
    assert cli.main(["--facts", str(facts_dir), "--all"]) in (0, 1)
    assert "group " in capsys.readouterr().out
    assert cli.main(["--facts", str(tmp_path / "missing")]) == 2
