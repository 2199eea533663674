"""The conductor-side image pipeline against real tgtd and qemu-img (userspace writer).

Each test exports a sparse file through the ramdisk's own deploy commands and checks
the file afterwards: written images match byte for byte; refused images leave it
untouched.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ironic_tripleo.deploy import checksum, partition_image, pipeline, writer
from ironic_tripleo.deploy.image_cache import ImageCache
from ironic_tripleo.deploy.image_source import FileSource
from ironic_tripleo.deploy.target import Target
from ironic_tripleo.exception import (
    ImageChecksumMismatch,
    ImageTooLarge,
    ISCSITargetUnavailable,
    UnsafeImage,
)
from tests.harness import disk_images
from tests.harness.iscsi_target import Lun, MiB, lun_factory  # noqa: F401 - fixture


def sha256(path: Path, length: int | None = None) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        remaining = length if length is not None else os.path.getsize(path)
        while remaining > 0 and (block := f.read(min(MiB, remaining))):
            digest.update(block)
            remaining -= len(block)
    return digest.hexdigest()


def target_of(lun: Lun, password: str | None = None) -> Target:
    return Target("127.0.0.1", lun.port, lun.iqn, lun.username,
                         password or lun.password)


def raw_image(path: Path, size: int = 3 * MiB) -> Path:
    path.write_bytes(b"IMAGE-MARKER" + os.urandom(size - 12))
    return path


@pytest.fixture
def deploy(tmp_path):
    cache = ImageCache(tmp_path / "cache", max_bytes=512 * MiB)
    slots = writer.WriteSlots(2)
    options = pipeline.WriteOptions(mode="userspace", target_timeout=10, work_dir=str(tmp_path))

    def run(image: Path, lun: Lun, expected: checksum.Expected | None = None, **kw):
        expected = expected or checksum.Expected("sha256", checksum.file_digest(image,
                                                                                "sha256"))
        return pipeline.deploy_image(FileSource(image.as_uri()), expected, target_of(lun),
                                     cache, slots, options, node="node-t", **kw)

    run.cache = cache
    return run


def test_raw_whole_disk_image(deploy, lun_factory, tmp_path):  # noqa: F811
    lun = lun_factory(16 * MiB)
    image = raw_image(tmp_path / "disk.raw")
    info = deploy(image, lun).info
    assert info.format == "raw" and info.virtual_size == image.stat().st_size
    assert sha256(lun.backing, info.virtual_size) == sha256(image)
    deploy(image, lun)  # a second deploy of the same image uses the cache
    assert deploy.cache.downloads == 1


def test_qcow2_whole_disk_image_converted_on_the_fly(deploy, lun_factory, tmp_path):  # noqa: F811
    lun = lun_factory(16 * MiB)
    raw = raw_image(tmp_path / "disk.raw", 5 * MiB)
    qcow = tmp_path / "disk.qcow2"
    disk_images.to_qcow2(raw, qcow)
    written = deploy(qcow, lun)
    assert written.info.format == "qcow2"
    assert written.root_uuid_or_disk_id is None  # random bytes: no MBR
    assert sha256(lun.backing, raw.stat().st_size) == sha256(raw)


def test_bad_checksum_writes_nothing(deploy, lun_factory, tmp_path):  # noqa: F811
    lun = lun_factory(16 * MiB)
    before = sha256(lun.backing)
    image = raw_image(tmp_path / "disk.raw")
    wrong = checksum.Expected("sha256", "0" * 64)
    with pytest.raises(ImageChecksumMismatch, match="expected 0000") as info:
        deploy(image, lun, wrong)
    assert sha256(image) in str(info.value)
    assert sha256(lun.backing) == before
    assert deploy.cache.entries() == []  # the bad download was not published


def test_image_larger_than_disk_is_refused_before_writing(deploy, lun_factory, tmp_path):  # noqa: F811
    lun = lun_factory(8 * MiB)
    before = sha256(lun.backing)
    image = tmp_path / "big.raw"
    image.write_bytes(b"x" * MiB)
    os.truncate(image, 12 * MiB)
    with pytest.raises(ImageTooLarge, match=f"{12 * MiB} bytes.*only {8 * MiB} bytes"):
        deploy(image, lun)
    assert sha256(lun.backing) == before


def test_backing_file_is_refused(deploy, lun_factory, tmp_path):  # noqa: F811
    lun = lun_factory(8 * MiB)
    base = raw_image(tmp_path / "base.raw", MiB)
    overlay = tmp_path / "overlay.qcow2"
    subprocess.run(["qemu-img", "create", "-f", "qcow2", "-b", str(base), "-F", "raw",
                    str(overlay)], check=True, capture_output=True, timeout=60)
    with pytest.raises(UnsafeImage, match="backing file"):
        deploy(overlay, lun)


def test_wrong_chap_secret_names_the_target(lun_factory):  # noqa: F811
    lun = lun_factory(8 * MiB)
    with pytest.raises(ISCSITargetUnavailable, match="Authentication failure"):
        writer.wait_for_target(target_of(lun, password="not-the-secret1"), timeout=5)


def _region(disk: Path, part: partition_image.Part, out: Path) -> Path:
    with open(disk, "rb") as src, open(out, "wb") as dst:
        src.seek(part.start)
        remaining = part.size
        while remaining and (block := src.read(min(MiB, remaining))):
            dst.write(block)
            remaining -= len(block)
    return out


def _blkid(path: Path) -> dict[str, str]:
    out = subprocess.run(["blkid", "-p", "-o", "export", str(path)], capture_output=True,
                         text=True, timeout=30, check=False).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


@pytest.mark.parametrize("label, boot_mode", [("gpt", "uefi"), ("msdos", "bios")])
def test_partition_image_with_swap_ephemeral_configdrive(deploy, lun_factory, tmp_path,  # noqa: F811
                                                        label, boot_mode):
    for tool in ("parted", "mkfs.ext4", "mkfs.vfat", "mkswap", "blkid", "debugfs"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed")
    lun = lun_factory(256 * MiB)
    content = tmp_path / "root"
    content.mkdir()
    (content / "marker").write_text("deployed by ironic-tripleo\n")
    root = tmp_path / "root.ext4"
    with open(root, "wb") as f:
        f.truncate(24 * MiB)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "img-root", "-d", str(content), str(root)],
                   check=True, capture_output=True, timeout=60)
    qcow = tmp_path / "root.qcow2"
    disk_images.to_qcow2(root, qcow)
    configdrive = tmp_path / "cd.img"
    with open(configdrive, "wb") as f:
        f.truncate(2 * MiB)
    subprocess.run(["mkfs.vfat", "-n", "config-2", str(configdrive)], check=True,
                   capture_output=True, timeout=60)
    layout = partition_image.Layout(label=label, boot_mode=boot_mode, esp_mb=40, swap_mb=16,
                                    ephemeral_mb=32, configdrive=True)
    written = deploy(qcow, lun, layout=layout, configdrive=configdrive)

    table = subprocess.run(["parted", "-s", "-m", str(lun.backing), "unit", "B", "print"],
                           capture_output=True, text=True, timeout=30, check=True).stdout
    assert f":{label}:" in table
    parts = partition_image.plan(layout, 256 * MiB, configdrive.stat().st_size)
    assert [p.role for p in parts][-1] == "root"
    for part in parts:
        assert f"{part.number}:{part.start}B:{part.start + part.size - 1}B:" in table
    found = {p.role: _blkid(_region(lun.backing, p, tmp_path / f"{p.role}.out"))
             for p in parts}
    assert found["swap"]["TYPE"] == "swap"
    assert found["ephemeral"]["LABEL"] == "ephemeral0"
    assert found["configdrive"]["LABEL"] == "config-2"
    assert found["root"]["LABEL"] == "img-root"
    assert written.root_uuid_or_disk_id == found["root"]["UUID"]
    if boot_mode == "uefi":
        assert found["esp"]["TYPE"] == "vfat"
    marker = subprocess.run(["debugfs", "-R", "cat /marker", str(tmp_path / "root.out")],
                            capture_output=True, text=True, timeout=30, check=True).stdout
    assert marker == "deployed by ironic-tripleo\n"


def test_whole_disk_image_with_mbr_reports_its_disk_signature(deploy, lun_factory,  # noqa: F811
                                                              tmp_path):
    lun = lun_factory(16 * MiB)
    raw = disk_images.mbr_disk(tmp_path / "mbr.raw", 4 * MiB, 0x5eed1234)
    qcow = disk_images.to_qcow2(raw, tmp_path / "mbr.qcow2")
    assert deploy(qcow, lun).root_uuid_or_disk_id == "0x5eed1234"
    with open(lun.backing, "rb") as f:
        assert f.read(512)[440:444] == bytes.fromhex("3412ed5e")


def test_write_progress_is_logged(deploy, lun_factory, tmp_path, caplog,  # noqa: F811
                                  monkeypatch):
    import logging

    monkeypatch.setattr(writer, "PROGRESS_LOG_INTERVAL", 0.0)  # every look at qemu-img
    lun = lun_factory(320 * MiB)
    image = raw_image(tmp_path / "disk.raw", 256 * MiB)  # long enough for a few looks
    with caplog.at_level(logging.INFO, logger="ironic_tripleo.deploy.writer"):
        deploy(image, lun)
    lines = [r.getMessage() for r in caplog.records
             if r.getMessage().startswith(f"writing {image.as_uri()} to {lun.iqn}: ")]
    assert lines, [r.getMessage() for r in caplog.records]
    assert any("/100%)" in line for line in lines), lines
