"""The agent layer: the ``ramdisk`` package, the ``hardware`` wheel, scripts and /init.

Staged in a directory and packed as its own cpio archive after the cached base. The
``hardware`` wheel (pure Python, not in Debian) is downloaded once with pip into the
cache and unpacked; its ``pexpect`` comes from Debian and ``pbr`` is not needed.
"""

from __future__ import annotations

import fcntl
import importlib.metadata
import json
import shutil
import sys
import zipfile
from pathlib import Path

import ramdisk
from ramdisk import boot
from ramdisk.image.command import run
from ramdisk.image.exception import BuildError

SITE = "usr/lib/python3/dist-packages"
FILES = Path(__file__).parent / "files"
IMAGE_INFO = "etc/ironic-tripleo-ramdisk.json"

SCRIPTS = {
    "usr/bin/ironic-tripleo-ramdisk":
        "#!/usr/bin/python3\nimport sys\nfrom ramdisk.cmd import main\nsys.exit(main())\n",
    "usr/bin/hardware-detect":
        "#!/usr/bin/python3\nimport sys\nfrom hardware.detect import main\nsys.exit(main())\n",
}


def hardware_wheel(cache_dir: Path) -> Path:
    """Return the cached ``hardware`` wheel, the version installed here (pip download).

    :raises BuildError: when pip cannot fetch it.
    """
    try:
        version = importlib.metadata.version("hardware")
        requirement = f"hardware=={version}"
    except importlib.metadata.PackageNotFoundError:
        requirement = "hardware"
    wheels = cache_dir / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    name = requirement.replace("==", "-")
    with open(cache_dir / ".wheels.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another build may be downloading it
        found = sorted(wheels.glob(f"{name}*.whl")) if "==" in requirement else []
        if found:
            return found[-1]
        try:
            run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                 "--only-binary=:all:", "-d", str(wheels), requirement], timeout=300)
        except BuildError as exc:
            raise BuildError(reason=f"cannot download the {requirement} wheel: {exc}") \
                from exc
        return sorted(wheels.glob("hardware-*.whl"))[-1]


def stage(dest: Path, wheel: Path, info: dict[str, object]) -> None:
    """Write the agent layer's tree into ``dest``."""
    site = dest / SITE
    site.mkdir(parents=True)
    top = Path(ramdisk.__file__).parent

    def skip(directory: str, names: list[str]) -> list[str]:
        # the image builder itself never runs inside the image
        return [n for n in names
                if n == "__pycache__" or (n in ("image", "dib") and Path(directory) == top)]

    shutil.copytree(top, site / "ramdisk", ignore=skip)
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    for rel, text in SCRIPTS.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(0o755)
    init = dest / "init"
    shutil.copy2(FILES / "init.sh", init)
    init.chmod(0o755)
    dhcp = dest / boot.UDHCPC_SCRIPT.lstrip("/")
    dhcp.parent.mkdir(parents=True)
    shutil.copy2(FILES / "udhcpc.sh", dhcp)
    dhcp.chmod(0o755)
    button = dest / boot.ACPI_DIR.lstrip("/") / boot.POWER_BUTTON_ACTION
    button.parent.mkdir(parents=True)
    shutil.copy2(FILES / "power-button.sh", button)
    button.chmod(0o755)
    (dest / IMAGE_INFO).parent.mkdir(parents=True, exist_ok=True)
    (dest / IMAGE_INFO).write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")
