"""``ironic-tripleo ramdisk build``: the agent's kernel + initramfs from Debian packages."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from ramdisk.image import build as image_build
from ramdisk.image import spec
from ramdisk.image.exception import BuildError

LOG = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``ramdisk build``."""
    parser = sub.add_parser("ramdisk", help="build the agent's bootable kernel and initramfs")
    rsub = parser.add_subparsers(dest="ramdisk_command", required=True)
    p = rsub.add_parser("build", help="build DIR/ironic-tripleo.kernel and "
                                      "DIR/ironic-tripleo.initramfs (needs root)")
    p.add_argument("--output", required=True, type=Path, metavar="DIR",
                   help="directory to create (replaced atomically when it exists)")
    p.add_argument("--extra-package", action="append", default=[], metavar="NAME",
                   help="another Debian package to include (repeatable)")
    p.add_argument("--kernel-version", metavar="RELEASE",
                   help="kernel release, e.g. 6.1.0-57-amd64 (default: the one "
                        "linux-image-amd64 depends on)")
    p.add_argument("--compression", choices=spec.COMPRESSIONS, default="zstd",
                   help="initramfs compression (default: %(default)s)")
    p.add_argument("--mirror", default=spec.MIRROR,
                   help="Debian mirror (default: %(default)s)")
    p.add_argument("--cache-dir", type=Path, metavar="DIR",
                   help="where the Debian base is cached (default: "
                        "$XDG_CACHE_HOME/ironic-tripleo/ramdisk)")
    p.set_defaults(func=build)


def build(args: argparse.Namespace) -> int:
    """Run the build; print sizes and sha256; 1 with the cause on failure."""
    build_spec = spec.BuildSpec(kernel_version=args.kernel_version,
                                extra_packages=tuple(args.extra_package),
                                compression=args.compression, mirror=args.mirror)
    try:
        result = image_build.build(build_spec, args.output, args.cache_dir)
    except BuildError as exc:
        LOG.error("%s", exc)
        return 1
    print(f"built {result.output} in {result.seconds:.1f}s (kernel {result.kernel_version}, "
          f"base {'cached' if result.base_reused else 'built'}: {result.base})")
    for name, data in result.files.items():
        print(f"  {name}: {int(data['bytes']) / 2**20:.1f} MiB sha256 {data['sha256']}")
    return 0
