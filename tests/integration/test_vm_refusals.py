"""A VM lab refuses bad input before creating anything, saying what to do."""

from __future__ import annotations

import subprocess
import sys


def lab_up(tmp_path, *args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "ironic_tripleo.cli.main", "lab", "up", "--workdir",
         str(tmp_path / "lab"), "--subnet", "auto", "--node-kind", "vm",
         "--ramdisk-dir", str(tmp_path), *args],
        capture_output=True, text=True, timeout=60, env=env)


def test_vm_under_512_mib_is_refused(tmp_path):
    (tmp_path / "ironic-tripleo.kernel").write_bytes(b"k")
    (tmp_path / "ironic-tripleo.initramfs").write_bytes(b"i")
    result = lab_up(tmp_path, "--node-spec", "name=tiny,memory_mb=384")
    assert result.returncode == 1
    assert "VM node tiny: memory_mb 384 is invalid: at least 512" in result.stderr
    assert "memory_mb=512 or more" in result.stderr
    assert not (tmp_path / "lab" / "lab.json").exists()  # refused before building


def test_qemu_missing_is_refused(tmp_path):
    env = {"PATH": "/usr/sbin:/sbin:/nonexistent", "HOME": str(tmp_path)}
    result = lab_up(tmp_path, env=env)
    assert result.returncode == 1
    assert "qemu-system-x86_64, which is not installed" in result.stderr
    assert "scripts/install-system-packages.sh" in result.stderr


def test_missing_ramdisk_says_how_to_build_it(tmp_path):
    result = lab_up(tmp_path, "--nodes", "1")
    assert result.returncode == 1
    assert "ironic-tripleo ramdisk build --output DIR" in result.stderr
    assert "ironic-tripleo.initramfs" in result.stderr
    assert not (tmp_path / "lab" / "lab.json").exists()
