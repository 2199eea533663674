"""``built_ramdisk``: the agent's kernel + initramfs, built once per test session.

The Debian base is cached across sessions under ``$XDG_CACHE_HOME/ironic-tripleo/ramdisk``
(keyed by package list, kernel version and compression), so a session only re-packs
the agent layer (seconds); the first build on a machine takes about 1-2 minutes.
Use it from another test module with ``from tests.harness.built_ramdisk import
built_ramdisk  # noqa: F401``; it yields a ``ramdisk.image.build.BuildResult``
(``.kernel``, ``.initramfs``, ``.base`` whose ``rootfs`` is the unpacked base).
"""

import pytest


@pytest.fixture(scope="session")
def built_ramdisk(tmp_path_factory):
    from ramdisk.image import build, spec

    out = tmp_path_factory.mktemp("ramdisk") / "image"
    return build.build(spec.BuildSpec(), out)
