"""Image build: the cache key, the root check, archives and atomic output."""

import os
import subprocess

import pytest

from ramdisk.image import archive, build, debian, spec
from ramdisk.image.exception import CommandFailed, NotRoot, UnknownPackage


def test_base_key_changes_with_inputs_only():
    a = spec.BuildSpec()
    assert a.base_key("6.1.0-1-amd64") == spec.BuildSpec().base_key("6.1.0-1-amd64")
    assert a.base_key("6.1.0-1-amd64") != a.base_key("6.1.0-2-amd64")
    assert a.base_key("k") != spec.BuildSpec(extra_packages=("vim",)).base_key("k")
    assert a.base_key("k") != spec.BuildSpec(compression="xz").base_key("k")
    assert spec.BuildSpec(extra_packages=("tgt",)).packages == spec.PACKAGES


def test_not_root_is_refused(mocker):
    mocker.patch("os.geteuid", autospec=True, return_value=1000)
    with pytest.raises(NotRoot, match="must run as root.*uid 1000"):
        build.check_root()


def test_unknown_package_is_named(mocker, tmp_path):
    mocker.patch.object(debian, "require", autospec=True)
    mocker.patch.object(debian, "check_mirror", autospec=True)
    mocker.patch.object(debian, "run", autospec=True, side_effect=CommandFailed(
        command="mmdebstrap", outcome="exited 1",
        tail="E: Unable to locate package nosuchpkg | E: apt-get update failed"))
    with pytest.raises(UnknownPackage, match="nosuchpkg"):
        debian._build_base(spec.BuildSpec(extra_packages=("nosuchpkg",)), "k", tmp_path)


def test_mirror_unreachable(tmp_path):
    from tests.harness.ports import free_port

    with pytest.raises(debian.MirrorUnreachable, match="cannot be reached"):
        debian.check_mirror(spec.BuildSpec(mirror=f"http://127.0.0.1:{free_port()}/d"), 5)


@pytest.mark.parametrize("compression", spec.COMPRESSIONS)
def test_concatenated_archives_unpack_in_order(tmp_path, compression):
    first, second = tmp_path / "a", tmp_path / "b"
    (first / "etc").mkdir(parents=True)
    (first / "etc/one").write_text("base\n")
    (first / "lib").symlink_to("etc")
    (second / "etc").mkdir(parents=True)
    (second / "etc/two").write_text("layer\n")
    parts = [archive.pack(first, tmp_path / "a.cpio", compression),
             archive.pack(second, tmp_path / "b.cpio", compression, owner_root=True)]
    archive.concatenate(parts, tmp_path / "all")
    out = tmp_path / "out"
    out.mkdir()
    for part in parts:  # cpio reads one archive per run; the kernel reads them all
        data = subprocess.run([archive.COMPRESSORS[compression][0], "-dc", str(part)],
                              capture_output=True, check=True).stdout
        subprocess.run(["cpio", "-idm", "--quiet"], input=data, cwd=out, check=True)
    assert (out / "etc/one").read_text() == "base\n"
    assert (out / "etc/two").read_text() == "layer\n"
    assert os.readlink(out / "lib") == "etc"
    assert (tmp_path / "all").stat().st_size == sum(p.stat().st_size for p in parts)


def test_replace_is_atomic_and_keeps_nothing_old(tmp_path):
    out, new = tmp_path / "out", tmp_path / ".out.new"
    out.mkdir()
    (out / "old").write_text("x")
    new.mkdir()
    (new / "fresh").write_text("y")
    build._replace(new, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert [p.name for p in out.iterdir()] == ["fresh"]


def test_cache_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert build.default_cache_dir() == tmp_path / "ironic-tripleo/ramdisk"
