"""Assemble the discovery payload, isolating every collector.

The payload is what ``POST /v1/continue_inspection`` (Ironic 39) and discoverd's
``POST /v1/continue`` accept::

    {"inventory": {IPA inventory}, "data": [[class, name, key, value], ...],
     "boot_interface": "aa:bb:cc:dd:ee:ff" | None, "root_disk": {disk} | None,
     "error": None | "collector X failed: ...; ...", "logs": base64 tar.gz}

A collector that raises leaves its section at a safe default, its error goes into
``error`` (Ironic's ``ramdisk-error`` hook then fails the inspection with that
message) and its traceback into the log; the agent itself never crashes.
"""

from __future__ import annotations

import dataclasses
import logging
import platform
import socket
from collections.abc import Callable
from typing import Any

from ramdisk import agent_log, lab_seam
from ramdisk.cmdline import DiscoveryParams
from ramdisk.collectors import (
    benchmarks,
    bmc,
    boot,
    cpu,
    disks,
    hardware_facts,
    lab_overlay,
    lldp,
    memory,
    nics,
    system,
)

LOG = logging.getLogger(__name__)

GiB = 1024 ** 3
ROOT_DISK_MIN_BYTES = 4 * GiB  # IPA's default minimum root disk size


@dataclasses.dataclass
class Options:
    """Knobs of one discovery run that do not come from the kernel command line.

    :param hardware_timeout: seconds allowed for ``hardware-detect``.
    :param benchmark_duration: seconds each benchmark runs (per disk for ``disk``).
    :param ipmitool_timeout: seconds allowed for each ``ipmitool`` call.
    """

    hardware_timeout: float = 300.0
    benchmark_duration: float = 1.0
    ipmitool_timeout: float = 10.0


class _Run:
    """Runs collectors one at a time, remembering which ones failed."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def __call__(self, name: str, func: Callable[[], Any], default: Any) -> Any:
        LOG.info("collecting %s", name)
        try:
            return func()
        except Exception as exc:  # noqa: BLE001 - isolation is the point
            LOG.exception("collector %s failed", name)
            self.errors.append(f"collector {name} failed: {type(exc).__name__}: {exc}")
            return default


def guess_root_disk(disk_list: list[dict[str, Any]],
                    min_size: int = ROOT_DISK_MIN_BYTES) -> dict[str, Any] | None:
    """Return the smallest disk of at least ``min_size`` bytes (IPA's choice), or None."""
    fitting = [d for d in disk_list if int(d.get("size") or 0) >= min_size]
    return min(fitting, key=lambda d: int(d["size"])) if fitting else None


def collect_inventory(params: DiscoveryParams, options: Options,
                      run: _Run) -> dict[str, Any]:
    """Return the IPA-schema inventory; failures are recorded in ``run``."""
    inventory: dict[str, Any] = {}
    inventory["interfaces"] = run("interfaces", nics.collect, [])
    if params.collect_lldp:
        up = [i["name"] for i in inventory["interfaces"] if i.get("has_carrier")]
        heard = run("lldp", lambda: lldp.listen(up, params.lldp_timeout), {})
        for iface in inventory["interfaces"]:
            iface["lldp"] = heard.get(iface["name"])
    inventory["cpu"] = run("cpu", cpu.collect, {"count": 0, "architecture": platform.machine()})
    inventory["disks"] = run("disks", lambda: disks.collect(params.all_disks), [])
    inventory["memory"] = run("memory", memory.collect, {})
    inventory.update(run("bmc", lambda: bmc.collect(options.ipmitool_timeout),
                         {"bmc_address": bmc.NO_V4, "bmc_v6address": bmc.NO_V6}))
    inventory["system_vendor"] = run("system_vendor", system.collect, system.vendor_info({}))
    inventory["boot"] = run("boot", lambda: boot.collect(params.boot_mac),
                            {"current_boot_mode": None, "pxe_interface": params.boot_mac})
    inventory["hostname"] = run("hostname", socket.gethostname, "")
    return inventory


def collect_facts(params: DiscoveryParams, options: Options, inventory: dict[str, Any],
                  run: _Run) -> list[list[str]] | None:
    """Return the 4-tuple fact list (hardware-detect, missing NICs, benchmarks).

    None when neither ``extra-hardware`` nor any benchmark was asked for.
    """
    if "extra-hardware" not in params.collectors and not params.benchmarks:
        return None
    facts: list[list[str]] = []
    if "extra-hardware" in params.collectors:
        facts = run("hardware_facts",
                    lambda: hardware_facts.collect(options.hardware_timeout), [])
        facts.extend(run("nic_facts", lambda: hardware_facts.nic_facts(
            inventory.get("interfaces", []), facts), []))
    if params.benchmarks:
        disk_paths = [str(d["name"]) for d in inventory.get("disks", [])]
        facts.extend(run("benchmarks", lambda: benchmarks.collect(
            params.benchmarks, disk_paths, options.benchmark_duration), []))
    return facts


def build_payload(params: DiscoveryParams, options: Options | None = None,
                  capture: agent_log.LogCapture | None = None,
                  cmdline_text: str = "") -> dict[str, Any]:
    """Collect everything and return the payload to post.

    :param params: what the kernel command line asked for.
    :param options: timeouts and durations; defaults when None.
    :param capture: the agent's log capture; its text becomes ``logs`` when the
        ``logs`` collector is enabled.
    :param cmdline_text: the raw command line, shipped in ``logs`` for debugging.
    """
    options = options or Options()
    run = _Run()
    inventory = collect_inventory(params, options, run)
    overlay = None
    overlay_path = lab_seam.hardware_overlay(params.lab_hardware)
    if overlay_path:
        overlay = run("lab_overlay", lambda: lab_overlay.load(overlay_path), None)
        if overlay is not None:
            LOG.info("lab node: hardware overlay %s replaces cpus, memory and disks",
                     overlay_path)
            lab_overlay.apply_inventory(inventory, overlay)
    payload: dict[str, Any] = {"inventory": inventory}
    facts = collect_facts(params, options, inventory, run)
    if facts is not None and overlay is not None:
        facts = lab_overlay.apply_facts(facts, overlay)
    if facts is not None:
        payload["data"] = facts
    payload["boot_interface"] = params.boot_mac
    payload["root_disk"] = guess_root_disk(inventory.get("disks", []))
    if params.boot_mac and not any(i.get("mac_address") == params.boot_mac
                                   for i in inventory.get("interfaces", [])):
        LOG.warning("boot MAC %s is not among this machine's interfaces", params.boot_mac)
    payload["error"] = "; ".join(run.errors) or None
    if run.errors:
        LOG.error("discovery finished with errors: %s", payload["error"])
    else:
        LOG.info("discovery finished: %d interface(s), %d disk(s), %d fact(s)",
                 len(inventory.get("interfaces", [])), len(inventory.get("disks", [])),
                 len(facts or []))
    if "logs" in params.collectors and capture is not None:
        payload["logs"] = agent_log.archive({agent_log.ARCHIVE_NAME: capture.text(),
                                             "cmdline": cmdline_text})
    return payload
