"""Kernel command line parsing: what the PXE config tells the discovery agent.

Parameter names follow ironic-python-agent (``ipa-inspection-callback-url``,
``ipa-inspection-collectors``, ``ipa-inspection-benchmarks``, ``BOOTIF``) with
``discoverd_callback_url`` accepted as an alias for the old discovery ramdisk.
"""

from __future__ import annotations

import dataclasses
import logging
import re

from ramdisk.exception import CmdlineError

LOG = logging.getLogger(__name__)

PROC_CMDLINE = "/proc/cmdline"
CALLBACK_PARAMS = ("ipa-inspection-callback-url", "discoverd_callback_url")
BOOT_MAC_PARAMS = ("BOOTIF", "ipa-inspection-boot-interface")
API_URL_PARAMS = ("ipa-api-url",)  # deploy mode: where Ironic's API is
COLLECTORS_PARAM = "ipa-inspection-collectors"
BENCHMARKS_PARAM = "ipa-inspection-benchmarks"
ALL_DISKS_PARAM = "tripleo-inspection-all-disks"
COLLECT_LLDP_PARAM = "ipa-collect-lldp"
LLDP_TIMEOUT_PARAM = "ipa-lldp-timeout"
DEFAULT_LLDP_TIMEOUT = 30.0  # ironic-python-agent's default: a switch's LLDP interval
MAX_LLDP_TIMEOUT = 300.0
LAB_HARDWARE_PARAM = "tripleo-lab-hardware"  # lab only: see collectors/lab_overlay.py
DEFAULT_COLLECTORS = ("default", "extra-hardware", "logs")
KNOWN_BENCHMARKS = ("cpu", "mem", "disk")
_TRUE = ("1", "true", "yes", "on")
_MAC_RE = re.compile(r"^([0-9a-f]{2})([:-][0-9a-f]{2}){5}$")


@dataclasses.dataclass
class DiscoveryParams:
    """What the discovery agent was asked to do.

    :param callback_url: where to post the payload, or None.
    :param boot_mac: MAC of the NIC that PXE-booted, ``aa:bb:cc:dd:ee:ff``, or None.
    :param collectors: IPA collector names; ``extra-hardware`` adds the fact list,
        ``logs`` the agent's log.
    :param benchmarks: subset of ``cpu``, ``mem``, ``disk``.
    :param all_disks: also report ram, loop, zram and optical devices.
    :param collect_lldp: listen for LLDP frames on each NIC (``ipa-collect-lldp``).
    :param lldp_timeout: seconds to listen at most (``ipa-lldp-timeout``, at most
        ``MAX_LLDP_TIMEOUT``).
    :param lab_hardware: lab only: path of the virtual node's hardware overlay.
    :param raw: every parameter as given (``key -> value``; ``""`` without ``=``).
    """

    callback_url: str | None = None
    boot_mac: str | None = None
    collectors: list[str] = dataclasses.field(
        default_factory=lambda: list(DEFAULT_COLLECTORS))
    benchmarks: list[str] = dataclasses.field(default_factory=list)
    all_disks: bool = False
    collect_lldp: bool = False
    lldp_timeout: float = DEFAULT_LLDP_TIMEOUT
    lab_hardware: str | None = None
    raw: dict[str, str] = dataclasses.field(default_factory=dict)


def split(text: str) -> list[str]:
    """Split a command line as the kernel does: blanks separate, double quotes group.

    Everything after a lone ``--`` belongs to init and is dropped.
    """
    words: list[str] = []
    current: list[str] = []
    quoted = False
    started = False
    for char in text:
        if char == '"':
            quoted = not quoted
            started = True
        elif char.isspace() and not quoted:
            if started:
                words.append("".join(current))
            current, started = [], False
        else:
            current.append(char)
            started = True
    if started:
        words.append("".join(current))
    if "--" in words:
        words = words[:words.index("--")]
    return words


def to_dict(text: str) -> dict[str, str]:
    """Return ``{name: value}`` for a command line; the last occurrence wins."""
    result: dict[str, str] = {}
    for word in split(text):
        name, _, value = word.partition("=")
        result[name] = value
    return result


def normalize_mac(value: str, name: str = "BOOTIF") -> str:
    """Return ``aa:bb:cc:dd:ee:ff`` for a MAC or a pxelinux ``01-aa-bb-...`` BOOTIF.

    :raises CmdlineError: when ``value`` is neither.
    """
    mac = value.strip().lower()
    if re.match(r"^[0-9a-f]{2}-([0-9a-f]{2}-){5}[0-9a-f]{2}$", mac):
        mac = mac.split("-", 1)[1]  # hardware type prefix (01 = Ethernet)
    if not _MAC_RE.match(mac):
        raise CmdlineError(name=name, value=value,
                           allowed="expected a MAC (52:54:00:12:34:56) or 01-52-54-00-12-34-56")
    return mac.replace("-", ":")


def _list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def parse(text: str) -> DiscoveryParams:
    """Return the discovery parameters found in a kernel command line.

    A malformed boot MAC or an unknown benchmark is logged and ignored: the agent
    still reports what it can.
    """
    raw = to_dict(text)
    params = DiscoveryParams(raw=raw)
    for name in CALLBACK_PARAMS:
        if raw.get(name):
            params.callback_url = raw[name]
            break
    for name in BOOT_MAC_PARAMS:
        if raw.get(name):
            try:
                params.boot_mac = normalize_mac(raw[name], name)
                break
            except CmdlineError as exc:
                LOG.warning("%s", exc)
    if raw.get(COLLECTORS_PARAM):
        params.collectors = _list(raw[COLLECTORS_PARAM])
    for bench in _list(raw.get(BENCHMARKS_PARAM, "")):
        if bench in KNOWN_BENCHMARKS:
            params.benchmarks.append(bench)
        else:
            LOG.warning("%s", CmdlineError(name=BENCHMARKS_PARAM, value=bench,
                                           allowed=f"one of {', '.join(KNOWN_BENCHMARKS)}"))
    params.all_disks = raw.get(ALL_DISKS_PARAM, "").lower() in _TRUE
    params.collect_lldp = raw.get(COLLECT_LLDP_PARAM, "").lower() in _TRUE
    if raw.get(LLDP_TIMEOUT_PARAM):
        try:
            timeout = float(raw[LLDP_TIMEOUT_PARAM])
            if not 0 <= timeout <= MAX_LLDP_TIMEOUT:
                raise ValueError
            params.lldp_timeout = timeout
        except ValueError:
            LOG.warning("%s", CmdlineError(
                name=LLDP_TIMEOUT_PARAM, value=raw[LLDP_TIMEOUT_PARAM],
                allowed=f"seconds from 0 to {MAX_LLDP_TIMEOUT:g}; "
                        f"using {params.lldp_timeout:g}"))
    params.lab_hardware = raw.get(LAB_HARDWARE_PARAM) or None
    return params


def read(path: str = PROC_CMDLINE) -> DiscoveryParams:
    """Parse the command line stored in ``path`` (``/proc/cmdline`` by default)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        return parse(f.read())
