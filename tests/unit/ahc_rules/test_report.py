from ahc_rules import report
from ahc_rules.facts import Node
from ahc_rules.matcher import NodeFacts


def node(name, serial, speed, model="X"):
    return Node(name, NodeFacts([("system", "product", "name", model),
                                 ("system", "product", "serial", serial),
                                 ("cpu", "logical", "loops_per_sec", speed)]))


def test_fingerprint_ignores_serials_and_benchmarks():
    assert report.fingerprint(node("a", "1", 5).facts.lines) == report.fingerprint(
        node("b", "2", 9).facts.lines)
    groups = report.group_nodes([node("a", "1", 5), node("b", "2", 5), node("c", "3", 5, "Y")])
    assert [len(g) for g in groups.values()] == [2, 1]


def test_cardiff_verdicts():
    metric = ("cpu", "logical", "loops_per_sec")
    same = {f"n{i}": 100.0 for i in range(10)}
    assert report.judge(metric, same, 2, 15).status == report.CONSISTENT
    one_off = dict(same, n9=80.0)
    verdict = report.judge(metric, one_off, 2, 15)
    assert verdict.status == report.SUSPICIOUS and verdict.suspicious == ("n9",)
    wild = {"a": 10.0, "b": 100.0, "c": 50.0}
    assert report.judge(metric, wild, 2, 15).status == report.UNSTABLE
    assert report.judge(metric, {"a": 1.0, "b": 1.02}, 2, 15).status == report.CONSISTENT


def test_judge_group_and_plot(tmp_path):
    nodes = [node(f"n{i}", str(i), 100 + (30 if i == 9 else 0)) for i in range(10)]
    verdicts = report.judge_group(nodes)
    assert [v.status for v in verdicts] == [report.SUSPICIOUS]
    paths = report.plot_group("g", verdicts, tmp_path)
    assert paths[0].name == "g-cpu-loops_per_sec.png"
    assert paths[0].read_bytes()[:4] == b"\x89PNG"
