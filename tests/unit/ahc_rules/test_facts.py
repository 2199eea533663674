import json

import pytest

from ahc_rules.exception import FactsError
from ahc_rules.facts import fact_values, load_nodes, split_payload

FACTS = [["cpu", "logical", "number", 2], ["memory", "total", "size", 1024]]


def test_payload_shapes():
    assert split_payload(FACTS) == (FACTS, None)
    assert split_payload({"data": FACTS, "inventory": {"cpu": {}}}) == (FACTS, {"cpu": {}})
    with pytest.raises(FactsError, match="unrecognised payload of type str"):
        split_payload("x")
    with pytest.raises(FactsError, match="'data' is not a list"):
        split_payload({"data": [1, 2]})


def test_directory_of_three_formats(tmp_path):
    (tmp_path / "b.json").write_text(json.dumps(FACTS))
    (tmp_path / "a.json").write_text(json.dumps({"data": FACTS, "inventory": {"x": 1}}))
    (tmp_path / "c.hw").write_text(repr([tuple(map(str, f)) for f in FACTS]))
    (tmp_path / "notes.txt").write_text("ignored")
    nodes = load_nodes(tmp_path)
    assert [n.name for n in nodes] == ["a", "b", "c"]
    assert nodes[0].inventory == {"x": 1}
    assert nodes[1].facts.lines == nodes[2].facts.lines
    assert fact_values(nodes[1].facts, "cpu", "number") == ["2"]


def test_mapping_of_nodes_in_one_file(tmp_path):
    path = tmp_path / "all.json"
    path.write_text(json.dumps({"n2": FACTS, "n1": {"data": FACTS}}))
    assert [n.name for n in load_nodes(path)] == ["n1", "n2"]


def test_errors(tmp_path):
    with pytest.raises(FactsError, match="no such file"):
        load_nodes(tmp_path / "missing")
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(FactsError, match="invalid JSON"):
        load_nodes(bad)
    evil = tmp_path / "evil.hw"
    evil.write_text("__import__('os').system('id')")
    with pytest.raises(FactsError, match="neither JSON nor a literal"):
        load_nodes(evil)
    dup = tmp_path / "dup"
    dup.mkdir()
    (dup / "n.json").write_text(json.dumps(FACTS))
    (dup / "n.hw").write_text(repr(FACTS))
    with pytest.raises(FactsError, match="appears twice"):
        load_nodes(dup)
