"""Processes the lab starts, found again and stopped by pid.

The lab's daemons outlive the command that started them, so nobody reaps them when
they die: they stay zombies (this machine's init does not reap orphans). Every
"alive" check here therefore looks at ``/proc/PID/stat`` and treats a zombie as dead.
"""

from __future__ import annotations

import logging
import os
import signal
from pathlib import Path

from ironic_tripleo.lab.readiness import wait_until

LOG = logging.getLogger(__name__)


def _stat_fields(pid: int) -> list[str] | None:
    """Return the fields of ``/proc/PID/stat`` after the command name, or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return text[text.rfind(")") + 2:].split()


def is_alive(pid: int | None) -> bool:
    """Return True when ``pid`` runs and is not a zombie."""
    if not pid or pid <= 0:
        return False
    fields = _stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def cmdline(pid: int) -> list[str]:
    """Return the argv of ``pid`` ([] when it is gone)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def group_members(pgid: int) -> list[int]:
    """Return the live (non-zombie) pids whose process group is ``pgid``."""
    members = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        # fields: state ppid pgrp ...
        if fields and fields[0] not in ("Z", "X") and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def runs(pgid: int | None, marker: str) -> bool:
    """Return True when ``pgid`` or a live member of its group has ``marker`` in argv.

    Guards against killing an unrelated process that reused a stale pid.
    """
    if not pgid:
        return False
    candidates = ([pgid] if is_alive(pgid) else []) + group_members(pgid)
    return any(marker in " ".join(cmdline(pid)) for pid in candidates)


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def stop_group(pgid: int | None, timeout: float = 10.0) -> bool:
    """Stop the process group ``pgid``: SIGTERM, then SIGKILL after ``timeout``.

    :returns: True when something was running.
    """
    if not pgid or not (is_alive(pgid) or group_members(pgid)):
        return False
    _signal_group(pgid, signal.SIGTERM)
    if wait_until(lambda: _still_there(pgid), timeout, 0.05) is None:
        return True
    LOG.warning("process group %s ignored SIGTERM for %ss; killing it", pgid, timeout)
    _signal_group(pgid, signal.SIGKILL)
    wait_until(lambda: _still_there(pgid), 5, 0.05)
    _reap(pgid)
    return True


def _still_there(pgid: int) -> str | None:
    """Reap what exited; ``None`` once the group has no member left."""
    _reap(pgid)
    return "still running" if group_members(pgid) else None


def kill_group(pgid: int | None) -> None:
    """SIGKILL the process group ``pgid`` at once and wait until it is gone."""
    if not pgid:
        return
    _signal_group(pgid, signal.SIGKILL)
    wait_until(lambda: _still_there(pgid), 5, 0.02)
    _reap(pgid)


def kill_pid(pid: int) -> None:
    """SIGKILL one process (gone already is fine)."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _reap(pid)


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        try:
            os.kill(pgid, sig)
        except ProcessLookupError:
            pass


def log_tail(workdir: Path, names: tuple[str, ...], lines: int = 30) -> str:
    """The last ``lines`` lines of each of the log files ``names`` in ``workdir`` that
    exist, for error messages about a service that would not start."""
    text = ""
    for name in names:
        path = workdir / name
        if path.exists():
            text += "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return text


def read_pid(path: Path) -> int | None:
    """Return the pid stored in ``path``, or None when there is none."""
    try:
        return int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
