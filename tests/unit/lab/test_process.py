"""Helpers for the lab's processes."""

from ironic_tripleo.lab import process


def test_log_tail_joins_the_ends_of_existing_logs(tmp_path):
    (tmp_path / "a.log").write_text("\n".join(f"a{i}" for i in range(50)))
    (tmp_path / "c.log").write_text("c0\nc1\n")
    tail = process.log_tail(tmp_path, ("a.log", "missing.log", "c.log"), lines=3)
    assert tail.startswith("a47\na48\na49") and tail.endswith("c0\nc1")
    assert "a46" not in tail


def test_read_pid(tmp_path):
    path = tmp_path / "x.pid"
    assert process.read_pid(path) is None
    path.write_text("123\n")
    assert process.read_pid(path) == 123
    path.write_text("garbage")
    assert process.read_pid(path) is None
