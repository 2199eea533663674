"""System vendor, product, serial and firmware from DMI (IPA's ``SystemVendorInfo``)."""

from __future__ import annotations

import os

DMI_DIR = "/sys/class/dmi/id"


def read_dmi(dmi_dir: str = DMI_DIR) -> dict[str, str]:
    """Return every readable DMI attribute in ``dmi_dir`` (stripped); {} without DMI.

    Some (``product_serial``) are readable by root only; they are left out otherwise.
    """
    result: dict[str, str] = {}
    try:
        names = os.listdir(dmi_dir)
    except OSError:
        return result
    for name in names:
        path = os.path.join(dmi_dir, name)
        if not os.path.isfile(path):
            continue
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                result[name] = f.read().strip()
        except OSError:
            continue
    return result


def vendor_info(dmi: dict[str, str]) -> dict[str, object]:
    """Map DMI attributes onto the inventory's ``system_vendor`` (missing -> '')."""
    return {
        "product_name": dmi.get("product_name", ""),
        "serial_number": dmi.get("product_serial", ""),
        "manufacturer": dmi.get("sys_vendor", ""),
        "firmware": {
            "vendor": dmi.get("bios_vendor", ""),
            "version": dmi.get("bios_version", ""),
            "build_date": dmi.get("bios_date", ""),
        },
    }


def collect(dmi_dir: str = DMI_DIR) -> dict[str, object]:
    """Return the inventory's ``system_vendor`` section for this machine."""
    return vendor_info(read_dmi(dmi_dir))
