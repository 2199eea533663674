"""Boot information: firmware boot mode and the PXE NIC (IPA's ``BootInfo``)."""

from __future__ import annotations

import os

EFI_DIR = "/sys/firmware/efi"


def boot_mode(efi_dir: str = EFI_DIR) -> str:
    """Return ``uefi`` when the kernel was started by UEFI firmware, else ``bios``."""
    return "uefi" if os.path.isdir(efi_dir) else "bios"


def collect(boot_mac: str | None, efi_dir: str = EFI_DIR) -> dict[str, str | None]:
    """Return the inventory's ``boot`` section.

    :param boot_mac: MAC of the NIC that PXE-booted (from ``BOOTIF``), or None.
    """
    return {"current_boot_mode": boot_mode(efi_dir), "pxe_interface": boot_mac}
