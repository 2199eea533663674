"""The agent inside the built image's root file system, with Debian bookworm's libraries.

The cached base's root file system (its python3, python3-psutil, -requests, -tenacity,
-pyudev, -netifaces) plus the agent layer, as an overlay in a private mount namespace,
entered with chroot: the agent's unit tests run there, so the agent is proven against
the library versions the image really has, not the development venv's.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.harness.built_ramdisk import built_ramdisk  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(pytest.__file__).resolve().parents[1]
# pure-Python test tools copied into the image (with their dist-info: pytest plugins)
TEST_TOOLS = ("pytest", "_pytest", "py.py", "pluggy", "iniconfig", "packaging", "pygments",
              "pytest_mock", "hypothesis", "_hypothesis_*", "attr", "attrs",
              "sortedcontainers",
              # pyproject.toml's `timeout` is pytest-timeout's (a module, then its dist-info)
              "pytest_timeout.py", "pytest_timeout")
VERSIONS = """
import importlib.metadata as md, json, sys
import psutil, requests, tenacity, pyudev, netifaces, hardware, ramdisk
print(json.dumps({"python": sys.version.split()[0], "ramdisk": ramdisk.__file__,
                  **{n: md.version(n) for n in ("psutil", "requests", "tenacity", "pyudev",
                                                "netifaces")}}))
"""


@pytest.fixture
def image_root(built_ramdisk, tmp_path):  # noqa: F811
    """An overlay upper dir with the agent layer, the unit tests and pytest."""
    from ramdisk.image import build, layer

    upper = tmp_path / "upper"
    wheel = layer.hardware_wheel(build.default_cache_dir())
    layer.stage(upper, wheel, {})
    tools = upper / "usr/local/lib/python3.11/dist-packages"
    tools.mkdir(parents=True)
    for pattern in TEST_TOOLS:
        for path in [*SITE.glob(pattern), *SITE.glob(f"{pattern}-*.dist-info")]:
            copy = shutil.copytree if path.is_dir() else shutil.copy2
            copy(path, tools / path.name)
    suite = upper / "srv/agent-tests"
    for rel in ("pyproject.toml", "tests/__init__.py", "tests/conftest.py",
                "tests/unit/__init__.py"):
        (suite / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, suite / rel)
    shutil.copytree(ROOT / "tests/harness", suite / "tests/harness",
                    ignore=shutil.ignore_patterns("__pycache__"))
    # the image builder's tests and the repository layout test stay outside: the
    # builder is not in the image
    shutil.copytree(ROOT / "tests/unit/ramdisk", suite / "tests/unit/ramdisk",
                    ignore=shutil.ignore_patterns("__pycache__", "image",
                                                  "test_agent_distribution.py"))
    (suite / "versions.py").write_text(VERSIONS)
    return built_ramdisk.base / "rootfs", upper


def in_image(lower: Path, upper: Path, tmp_path: Path, command: str, timeout: float = 600):
    """Run ``command`` (sh) chrooted in lower+upper, in a private mount namespace."""
    work, merged = tmp_path / "work", tmp_path / "merged"
    work.mkdir(exist_ok=True)
    merged.mkdir(exist_ok=True)
    script = (f"mount -t overlay overlay -o lowerdir={lower},upperdir={upper},workdir={work} "
              f"{merged} && mount -t proc proc {merged}/proc && "
              f"mount -t sysfs sysfs {merged}/sys && mount --rbind /dev {merged}/dev && "
              f"mount -t tmpfs tmpfs {merged}/tmp && "
              f"exec chroot {merged} /usr/bin/env -i PATH=/usr/sbin:/usr/bin HOME=/tmp "
              f"/bin/sh -c '{command}'")
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                           script], capture_output=True, text=True, timeout=timeout,
                          check=False)


def test_image_has_debian_bookworm_libraries(image_root, tmp_path):
    result = in_image(*image_root, tmp_path, "python3 /srv/agent-tests/versions.py")
    assert result.returncode == 0, result.stderr[-3000:]
    versions = json.loads(result.stdout)
    assert versions["python"].startswith("3.11.")
    assert versions["ramdisk"].startswith("/usr/lib/python3/dist-packages/ramdisk/")
    assert versions["psutil"].startswith("5.9.")
    assert versions["requests"].startswith("2.28.")
    assert versions["tenacity"].startswith("8.2.")
    assert versions["pyudev"].startswith("0.24.")
    assert versions["netifaces"].startswith("0.11.")


def test_agent_unit_tests_pass_inside_the_image(image_root, tmp_path):
    result = in_image(*image_root, tmp_path,
                      "cd /srv/agent-tests && python3 -m pytest -q -p no:cacheprovider "
                      "tests/unit/ramdisk 2>&1")
    tail = result.stdout[-4000:]
    assert result.returncode == 0, tail
    assert " passed" in tail and "failed" not in tail and " error" not in tail


def test_agent_dry_run_inside_the_image(image_root, tmp_path):
    result = in_image(*image_root, tmp_path,
                      "echo BOOTIF=01-52-54-00-00-00-01 > /tmp/cmdline && "
                      "ironic-tripleo-ramdisk discover --dry-run --cmdline /tmp/cmdline")
    assert result.returncode == 0, result.stderr[-3000:]
    payload = json.loads(result.stdout)
    assert payload["inventory"]["cpu"]["count"] >= 1
    assert payload["inventory"]["memory"]["total"] > 0
    assert payload["data"], "hardware-detect facts missing"
