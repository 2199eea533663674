import ast
import json
import shutil
from pathlib import Path

import hardware

from ahc_rules.cli import report as cli

SAMPLES = Path(hardware.__file__).parent / "tests" / "cardiff_samples"


# The samples' group of three, without its CPU benchmarks: the plots drawn here are
# its 16 disk benchmarks (all 74 PNGs of the whole set, most with a tick per core,
# took ~20 s of matplotlib; plot_group's own test checks what a plot holds).
GROUP_OF_THREE = ("CZ3404YWNN", "CZ3404YWNR", "CZ3404YWNT")
CPU_BENCHMARKS = {"bogomips", "loops_per_sec", *(
    f"{kind}bandwidth_{size}" for kind in ("", "forked_", "threaded_")
    for size in ("1K", "4K", "1M", "16M", "128M", "1G", "2G"))}


def without_cpu_benchmarks(sample: Path, target: Path) -> None:
    facts = ast.literal_eval(sample.read_text())
    kept = [f for f in facts if not (f[0] == "cpu" and f[2] in CPU_BENCHMARKS)]
    assert len(kept) < len(facts)
    target.write_text(repr(kept))


def test_report_on_real_cardiff_samples(tmp_path, capsys):
    facts = tmp_path / "facts"
    shutil.copytree(SAMPLES, facts)
    code = cli.main(["--facts", str(facts), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert sorted(len(g["nodes"]) for g in data["groups"]) == [1, 3, 15]
    statuses = {f["status"] for g in data["groups"] for f in g["figures"]}
    assert statuses == {"SUSPICIOUS", "UNSTABLE"}


def test_report_plots_every_figure_of_real_samples(tmp_path, capsys):
    facts = tmp_path / "facts"
    facts.mkdir()
    for sample in SAMPLES.iterdir():
        if any(serial in sample.name for serial in GROUP_OF_THREE):
            without_cpu_benchmarks(sample, facts / sample.name)
    plots = tmp_path / "plots"
    assert cli.main(["--facts", str(facts), "--json", "--plots", str(plots)]) == 1
    (group,) = json.loads(capsys.readouterr().out)["groups"]
    assert len(group["nodes"]) == 3
    assert len(group["plots"]) == 16 and all("-disk-" in p for p in group["plots"])
    assert all(Path(p).exists() for p in group["plots"])
    assert sorted(plots.iterdir()) == sorted(Path(p) for p in group["plots"])


def test_report_text_and_error(facts_dir, tmp_path, capsys):
    assert cli.main(["--facts", str(facts_dir), "--all"]) in (0, 1)
    assert "group " in capsys.readouterr().out
    assert cli.main(["--facts", str(tmp_path / "missing")]) == 2
