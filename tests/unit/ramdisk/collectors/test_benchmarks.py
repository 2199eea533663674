from ramdisk.collectors import benchmarks


def test_cpu_and_memory_are_short_and_positive():
    facts = benchmarks.collect(["cpu", "mem"], duration=0.05)
    names = {f[2]: int(f[3]) for f in facts}
    assert names["loops_per_sec"] > 0
    assert names["copy_bandwidth_MBps"] > 0


def test_disk_read_of_a_file(tmp_path):
    path = tmp_path / "disk.img"
    path.write_bytes(b"\0" * (3 * benchmarks.MiB))
    facts = benchmarks.collect(["disk"], [str(path), str(tmp_path / "missing")], 0.05)
    assert len(facts) == 1
    assert facts[0][:3] == ["disk", "disk.img", "standalone_read_1M_KBps"]
    assert int(facts[0][3]) > 0


def test_nothing_asked():
    assert benchmarks.collect([], ["/dev/null"]) == []
