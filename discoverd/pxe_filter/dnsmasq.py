"""The dnsmasq PXE filter: one ``--dhcp-hostsdir`` file per MAC.

A file named after the MAC holds either ``MAC`` (allowed: dnsmasq answers it, and
the discovery ramdisk boots) or ``MAC,ignore`` (denied). The file
``unknown_hosts_filter`` holds the wildcard ``*:*:*:*:*:*`` (allow) or
``*:*:*:*:*:*,ignore`` (deny) for every MAC without a file of its own.

dnsmasq picks changes up through inotify, which sees writes but not deletions, so
files are never removed, only rewritten; a MAC that left Ironic is treated like an
unknown one. The policy is a plain function (``decide``); ``HostsDir`` does the I/O.
"""

from __future__ import annotations

import dataclasses
import fcntl
import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path

LOG = logging.getLogger(__name__)

UNKNOWN_HOSTS_FILE = "unknown_hosts_filter"
WILDCARD = "*:*:*:*:*:*"
_WRITE_ATTEMPTS = 10
_WRITE_DELAY = 0.01


@dataclasses.dataclass(frozen=True)
class FilterState:
    """What dnsmasq should do: per-MAC decisions and the default for the rest."""

    allow: frozenset[str]
    deny: frozenset[str]
    allow_unknown: bool


def decide(ironic_macs: Iterable[str], introspecting_macs: Iterable[str],
           introspection_running: bool, discovery: bool = False) -> FilterState:
    """The filter policy, with no I/O.

    :param ironic_macs: MACs of every port in Ironic.
    :param introspecting_macs: MACs of the nodes under introspection.
    :param introspection_running: whether any introspection is active (a node may
        be under introspection with no MAC known yet: then only unknown MACs boot).
    :param discovery: auto-discovery is on (``[discovery] enroll_unknown``): unknown
        MACs boot the discovery ramdisk whether an introspection runs or not.
    """
    introspecting = {m.lower() for m in introspecting_macs}
    known = {m.lower() for m in ironic_macs}
    running = introspection_running or bool(introspecting)
    return FilterState(allow=frozenset(introspecting), deny=frozenset(known - introspecting),
                       allow_unknown=running or discovery)


def host_line(mac: str, allowed: bool) -> str:
    """The content of one hosts file."""
    return f"{mac}\n" if allowed else f"{mac},ignore\n"


class HostsDir:
    """The ``--dhcp-hostsdir`` directory of one dnsmasq.

    :param path: the directory (created when missing).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)

    def purge(self) -> None:
        """Remove every file (only before dnsmasq starts: it does not see deletions)."""
        for entry in self.path.iterdir():
            if entry.is_file():
                entry.unlink()

    def current(self) -> dict[str, str]:
        """Return ``{file name: content}`` of every file in the directory."""
        return {entry.name: entry.read_text() for entry in self.path.iterdir()
                if entry.is_file()}

    def apply(self, state: FilterState) -> int:
        """Rewrite the files whose content differs from ``state``; return how many.

        MACs with a file but absent from ``state`` follow ``allow_unknown``.
        """
        wanted = {mac: host_line(mac, True) for mac in state.allow}
        wanted.update({mac: host_line(mac, False) for mac in state.deny})
        current = self.current()
        for name in current:
            if name != UNKNOWN_HOSTS_FILE and name not in wanted:
                wanted[name] = host_line(name, state.allow_unknown)
        wanted[UNKNOWN_HOSTS_FILE] = host_line(WILDCARD, state.allow_unknown)
        written = 0
        for name, content in sorted(wanted.items()):
            if current.get(name) != content and self._write(name, content):
                written += 1
        if written:
            LOG.info("PXE filter: %d file(s) rewritten (%d allowed, %d denied, unknown "
                     "MACs %s)", written, len(state.allow), len(state.deny),
                     "allowed" if state.allow_unknown else "denied")
        return written

    def _write(self, name: str, content: str) -> bool:
        """Write one file under an exclusive lock; False when it stayed locked.

        Several discoverd processes may share the directory; a write that loses
        the race is redone at the next sync.
        """
        with open(self.path / name, "a+") as f:
            for _ in range(_WRITE_ATTEMPTS):
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    time.sleep(_WRITE_DELAY)
                    continue
                try:
                    f.seek(0)
                    f.truncate()
                    f.write(content)
                    f.flush()
                finally:
                    fcntl.flock(f, fcntl.LOCK_UN)
                return True
        LOG.warning("PXE filter: %s stayed locked; retrying at the next sync", name)
        return False
