"""Realistic ramdisk payloads (IPA inventory + hardware-detect facts) for tests."""

import base64
import copy
from typing import Any

GiB = 1024 ** 3


def ramdisk_payload(macs: list[str], bmc_address: str = "0.0.0.0", *,  # noqa: S104
                    boot_mac: str | None = None, cpus: int = 4, memory_mb: int = 8192,
                    disks_gib: tuple[int, ...] = (50, 120), error: str | None = None,
                    flags: tuple[str, ...] = ("fpu", "vmx", "aes", "pse"),
                    boot_mode: str = "bios") -> dict[str, Any]:
    """A ``POST /v1/continue`` body as the discovery ramdisk sends it."""
    interfaces = [
        {"name": f"eth{i}", "mac_address": mac,
         "ipv4_address": f"198.51.100.{10 + i}" if i == 0 else None,
         "ipv6_address": None, "has_carrier": True, "vendor": "0x8086",
         "product": "0x100e", "client_id": None, "biosdevname": None, "speed_mbps": 1000}
        for i, mac in enumerate(macs)]
    disks = [{"name": f"/dev/sd{chr(97 + i)}", "size": size * GiB, "model": "QEMU HARDDISK",
              "serial": f"QM0000{i}", "rotational": i > 0, "wwn": f"0x5000c5000000000{i}",
              "vendor": "ATA", "hctl": f"0:0:{i}:0", "by_path": None}
             for i, size in enumerate(disks_gib)]
    inventory = {
        "interfaces": interfaces,
        "cpu": {"model_name": "Intel(R) Xeon(R) CPU E5-2620 v4 @ 2.10GHz",
                "frequency": "2100.000", "count": cpus, "architecture": "x86_64",
                "flags": list(flags)},
        "memory": {"total": memory_mb * 1024 * 1024 - 123456, "physical_mb": memory_mb},
        "disks": disks,
        "bmc_address": bmc_address,
        "bmc_v6address": "::/0",
        "system_vendor": {"product_name": "KVM", "serial_number": "SN-" + macs[0][-5:]
                          if macs else "SN", "manufacturer": "QEMU"},
        "boot": {"current_boot_mode": boot_mode, "pxe_interface": boot_mac or
                 (macs[0] if macs else None)},
        "hostname": "localhost.localdomain",
    }
    data = [["cpu", "logical", "number", str(cpus)],
            ["memory", "total", "size", str(memory_mb * 1024 * 1024)],
            ["system", "product", "vendor", "QEMU"],
            ["system", "product", "name", "KVM"]]
    data += [["disk", d["name"].removeprefix("/dev/"), "size", str(d["size"] // 10 ** 9)]
             for d in disks]
    data += [["network", iface["name"], "serial", iface["mac_address"]]
             for iface in interfaces]
    return copy.deepcopy({"inventory": inventory, "data": data,
                          "boot_interface": boot_mac or (macs[0] if macs else None),
                          "error": error,
                          "logs": base64.b64encode(b"ramdisk log line\n").decode()})
