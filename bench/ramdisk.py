"""Benchmark: the ramdisk build, full and agent-only, and the image sizes.

A full build starts from an empty cache directory (mmdebstrap, the kernel package,
slimming, packing the base); the agent-only rebuild then reuses that base and packs
only the agent layer, which is what a change to ``ramdisk/`` costs. Prints both
times, the kernel and initramfs sizes and the targets (build < 90 s, rebuild < 15 s,
initramfs < 60 MB). Needs root and the network (the Debian mirror).

    sudo .venv/bin/python bench/ramdisk.py [--compression zstd] [--cache-dir DIR]

``--cache-dir`` with an existing base measures a cached build instead of a full one.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

# this file is bench/ramdisk.py: keep its directory off the path, or ``import ramdisk``
# would find this script instead of the package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from ramdisk.image import build, spec  # noqa: E402

MB = 1000 ** 2


def timed_build(build_spec: spec.BuildSpec, out: Path, cache: Path
                ) -> tuple[float, build.BuildResult]:
    start = time.perf_counter()
    result = build.build(build_spec, out, cache)
    return time.perf_counter() - start, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compression", choices=spec.COMPRESSIONS, default="zstd")
    parser.add_argument("--cache-dir", type=Path,
                        help="cache to use (default: a fresh temporary one: a full build)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-ramdisk-"))
    try:
        cache = args.cache_dir or work / "cache"
        build_spec = spec.BuildSpec(compression=args.compression)
        full, first = timed_build(build_spec, work / "first", cache)
        rebuild, second = timed_build(build_spec, work / "second", cache)
        initramfs = second.files[build.INITRAMFS]["bytes"]
        kernel = second.files[build.KERNEL]["bytes"]
        kind = "cached-base build" if first.base_reused else "full build"
        print(f"kernel {second.kernel_version}, compression {args.compression}")
        print(f"{kind}:          {full:6.1f} s   (target < 90 s)")
        print(f"agent-only rebuild:  {rebuild:6.1f} s   (target < 15 s; base reused: "
              f"{second.base_reused})")
        print(f"initramfs:           {int(initramfs) / MB:6.1f} MB  (target < 60 MB)")
        print(f"kernel:              {int(kernel) / MB:6.1f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
