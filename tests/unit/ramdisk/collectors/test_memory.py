from ramdisk.collectors import memory

MiB = memory.MiB


def _sysfs(tmp_path, block_hex, states):
    (tmp_path / "block_size_bytes").write_text(block_hex + "\n")
    for i, state in enumerate(states):
        d = tmp_path / f"memory{i}"
        d.mkdir()
        if state is not None:
            (d / "online").write_text(state + "\n")
    (tmp_path / "auto_online_blocks").write_text("online\n")
    return str(tmp_path)


def test_sysfs_counts_online_blocks(tmp_path):
    root = _sysfs(tmp_path, "8000000", ["1", "1", "0", None])  # 128 MiB blocks
    assert memory.physical_mb_from_sysfs(root) == 3 * 128


def test_sysfs_missing(tmp_path):
    assert memory.physical_mb_from_sysfs(str(tmp_path / "nope")) is None


def test_physical_mb_prefers_sysfs_when_plausible():
    assert memory.physical_mb(4000 * MiB, 4096) == 4096
    # sysfs smaller than MemTotal cannot be right (hotplug half-done): use the total
    assert memory.physical_mb(4000 * MiB, 1024) == 4000
    assert memory.physical_mb(4000 * MiB + 1, None) == 4001


def test_collect_real_machine():
    result = memory.collect()
    assert result["total"] > 0
    assert result["physical_mb"] * MiB >= result["total"]
