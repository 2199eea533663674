"""The ``hardware`` library's fact list (``hardware-detect``), as strings.

The console script runs in a child process: it prints one JSON list of 4-tuples,
calls ``sys.exit`` on failure and writes a lot of noise on stderr, none of which
should reach the agent. Ints become strings because the ``hardware`` matcher (and
so role matching) calls ``.strip()`` on every value.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from ramdisk import command
from ramdisk.exception import CollectorError, CommandFailed

LOG = logging.getLogger(__name__)

Fact = list[str]


def find_detect() -> str:
    """Return the path of ``hardware-detect``: next to this Python first, then on PATH.

    :raises CollectorError: when it is not installed.
    """
    local = Path(sys.executable).parent / "hardware-detect"
    if local.exists():
        return str(local)
    found = shutil.which("hardware-detect")
    if not found:
        raise CollectorError(collector="hardware_facts",
                             reason="hardware-detect is not installed (pip install hardware)")
    return found


def normalize(items: Iterable[Iterable[object]]) -> list[Fact]:
    """Return the facts as lists of four strings; malformed items are dropped."""
    facts: list[Fact] = []
    for item in items:
        item = list(item)
        if len(item) != 4:
            LOG.debug("dropping malformed fact %r", item)
            continue
        facts.append([str(v) for v in item])
    return facts


def parse_output(text: str) -> list[Fact]:
    """Parse ``hardware-detect`` stdout.

    :raises CollectorError: when it is not a JSON list.
    """
    try:
        items = json.loads(text)
    except ValueError as exc:
        raise CollectorError(collector="hardware_facts",
                             reason=f"hardware-detect printed no JSON: {exc}") from exc
    if not isinstance(items, list):
        raise CollectorError(collector="hardware_facts",
                             reason=f"hardware-detect printed {type(items).__name__}, not a list")
    return normalize(items)


def nic_facts(interfaces: Iterable[Mapping[str, object]], facts: list[Fact]) -> list[Fact]:
    """Return ``network`` facts for inventory NICs that ``hardware-detect`` missed.

    lshw only knows PCI NICs, so veth NICs in a namespace are absent; role matching
    and ``generate_filename_and_macs`` need their ``serial`` (MAC) and addresses.
    """
    known = {f[1] for f in facts if f[0] == "network"}
    extra: list[Fact] = []
    for iface in interfaces:
        name = str(iface["name"])
        if name in known:
            continue
        extra.append(["network", name, "serial", str(iface["mac_address"])])
        if iface.get("ipv4_address"):
            extra.append(["network", name, "ipv4", str(iface["ipv4_address"])])
        if iface.get("ipv6_address"):
            extra.append(["network", name, "ipv6", str(iface["ipv6_address"])])
        extra.append(["network", name, "link", "yes" if iface.get("has_carrier") else "no"])
        if iface.get("speed_mbps"):
            extra.append(["network", name, "speed", f"{iface['speed_mbps']}Mbps"])
    return extra


def collect(timeout: float = 300.0, detect: str | None = None) -> list[Fact]:
    """Run ``hardware-detect`` and return its facts as strings.

    :param timeout: seconds before the child is killed.
    :param detect: path of the script (found with ``find_detect`` when None).
    :raises CollectorError: when it fails, times out or prints no list.
    """
    argv = [detect or find_detect()]
    result = command.run(argv, timeout)
    if result.returncode == command.KILLED:
        raise CollectorError(collector="hardware_facts",
                             reason=f"hardware-detect took more than {timeout}s")
    if result.stderr:
        LOG.debug("hardware-detect stderr (last lines): %s", command.tail(result))
    try:
        command.check(result, ["hardware-detect"])
    except CommandFailed as exc:
        raise CollectorError(collector="hardware_facts", reason=str(exc)) from None
    facts = parse_output(result.stdout)
    LOG.info("hardware-detect reported %d facts", len(facts))
    return facts
