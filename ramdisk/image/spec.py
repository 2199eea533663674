"""What goes into the image: Debian packages, kernel modules, what is slimmed away.

``BuildSpec.base_key`` names the cached base: the same packages, kernel version,
compression and mirror give the same key, so the base is built once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
SECURITY_MIRROR = "http://deb.debian.org/debian-security"
COMPRESSIONS = ("zstd", "gzip", "xz")

# what the agent and its tools need at run time (mount is not in the essential set)
PACKAGES = (
    "python3", "python3-psutil", "python3-netifaces", "python3-pyudev",
    "python3-requests", "python3-tenacity", "python3-pexpect",
    "udev", "kmod", "busybox", "mount", "iproute2", "procps",
    "lshw", "dmidecode", "pciutils", "ethtool", "hdparm", "smartmontools",
    "ipmitool", "tgt",
)

# kernel modules (with their dependencies); a name the kernel lacks is skipped
MODULES = (
    # virtual machines
    "virtio_pci", "virtio_net", "virtio_blk", "virtio_scsi", "e1000", "e1000e",
    # server NICs
    "igb", "igc", "ixgbe", "i40e", "ice", "bnxt_en", "tg3", "bnx2", "bnx2x", "r8169",
    "mlx4_en", "mlx5_core", "qede", "be2net", "vmxnet3",
    # disks and controllers
    "sd_mod", "sr_mod", "ata_piix", "ahci", "nvme", "megaraid_sas", "mpt3sas", "hpsa",
    "smartpqi", "aacraid", "mptsas", "isci", "uas", "usb_storage", "xhci_pci",
    "ehci_pci",
    # IPMI, iSCSI, loop devices
    "ipmi_si", "ipmi_devintf", "ipmi_ssif", "loop", "iscsi_tcp",
    # the ACPI power button and its /dev/input/event device (IPMI soft off)
    "button", "evdev",
)

# paths (relative to the root) removed from the base: not needed to run the agent
SLIM_PATHS = (
    "usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale",
    "usr/share/lintian", "usr/share/bash-completion", "usr/share/zsh",
    "usr/share/perl", "usr/share/perl5", "usr/lib/x86_64-linux-gnu/perl",
    "usr/lib/x86_64-linux-gnu/perl-base", "usr/bin/perl", "usr/sbin/tgt-admin",
    "usr/lib/python3.11/test", "usr/lib/python3.11/lib2to3", "usr/lib/python3.11/pydoc_data",
    "usr/lib/python3.11/idlelib", "usr/lib/python3.11/ensurepip",
    "usr/lib/python3.11/tkinter", "usr/lib/python3/dist-packages/setuptools",
    "usr/lib/python3/dist-packages/pkg_resources", "var/cache/apt", "var/lib/apt/lists",
    "var/cache/debconf", "var/log",
)
# gconv modules kept (the rest are legacy charsets nothing here uses)
GCONV_KEEP = ("gconv-modules", "gconv-modules.cache", "gconv-modules.d", "UTF-16.so",
              "UTF-32.so", "UTF-7.so", "UNICODE.so", "ISO8859-1.so")


@dataclasses.dataclass(frozen=True)
class BuildSpec:
    """One image's inputs.

    :param kernel_version: e.g. ``6.1.0-57-amd64``; None: the one ``linux-image-amd64``
        depends on in the host's apt sources.
    :param extra_packages: Debian packages added to ``PACKAGES``.
    :param compression: one of ``COMPRESSIONS``.
    :param mirror: Debian mirror URL (the suite's main and security updates).
    """

    kernel_version: str | None = None
    extra_packages: tuple[str, ...] = ()
    compression: str = "zstd"
    mirror: str = MIRROR
    security_mirror: str = SECURITY_MIRROR
    suite: str = SUITE

    @property
    def packages(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*PACKAGES, *self.extra_packages)))

    def sources(self) -> list[str]:
        """apt source lines for mmdebstrap."""
        return [f"deb {self.mirror} {self.suite} main",
                f"deb {self.security_mirror} {self.suite}-security main"]

    def base_key(self, kernel_version: str) -> str:
        """Return the cache key of the base built for ``kernel_version``."""
        blob = json.dumps({"packages": sorted(self.packages), "kernel": kernel_version,
                           "compression": self.compression, "sources": self.sources(),
                           "modules": MODULES, "slim": SLIM_PATHS, "gconv": GCONV_KEEP,
                           "format": 1}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]
