"""The node directory's boot device model and locking."""

import threading

from ironic_tripleo.lab.node import NodeDir, NodeSpec


def make(tmp_path):
    return NodeDir.create(tmp_path / "n0", NodeSpec(disk_gb=2), "n0", "52:54:00:00:00:01",
                          "ns-x")


def test_create_writes_sparse_disk_and_info(tmp_path):
    node = make(tmp_path)
    assert node.disk.stat().st_size == 2 * 1024**3
    assert node.disk.stat().st_blocks == 0
    assert node.info()["mac"] == "52:54:00:00:00:01"


def test_one_time_boot_device_falls_back_to_persistent(tmp_path):
    node = make(tmp_path)
    with node.locked():
        assert node.get_boot_device() == ("disk", True)
        node.set_boot_device("pxe", persistent=True)
        node.set_boot_device("disk", persistent=False)
        assert node.get_boot_device() == ("disk", False)
        assert node.take_boot_device() == "disk"
        assert node.get_boot_device() == ("pxe", True)
        assert node.take_boot_device() == "pxe"
        assert node.get_boot_device() == ("pxe", True)


def test_lock_serialises_threads(tmp_path):
    node = make(tmp_path)
    inside = []

    def worker():
        for _ in range(50):
            with node.locked():
                inside.append(1)
                assert len(inside) == 1
                inside.pop()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
