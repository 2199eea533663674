"""Cmdb binding (``$$var``) with ``hardware.cmdb`` semantics, persistence and the lock.

A cmdb is a list of dicts (hostnames, IPs). When a role matches, the captured
variables pick an entry: with ``$$var`` captures, the entry that already holds those
values (or none: the role cannot take the node); without, an entry holding all the
captured values (a node matched again keeps its entry), else the first entry not
``used``. The chosen entry is merged with the captures and marked ``used``.

:class:`Cmdb` works on its own copy; saving goes through :func:`rules_lock` and an
atomic rename, so that concurrent ``ahc-match`` runs never interleave writes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pprint
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import tenacity
from hardware.generate import is_included

from ahc_rules.exception import CmdbExhaustedError, LockTimeout

LOCK_NAME = ".ahc-lock"


class Cmdb:
    """One role's cmdb entries (a private copy) and the binding rule."""

    def __init__(self, role: str, entries: list[dict[str, Any]]) -> None:
        self.role = role
        self.entries = [dict(entry) for entry in entries]
        self.changed = False

    def bind(self, var: dict[str, Any], var2: dict[str, Any]) -> dict[str, Any]:
        """Pick the entry for a match; return the captures merged with it.

        :param var: all captured variables (``$$`` ones included, without a ``$``).
        :param var2: the ``$$`` captures only.
        :raises CmdbExhaustedError: no entry fits.
        """
        forced = bool(var2)
        pref = var2 if forced else var
        for idx, entry in enumerate(self.entries):
            if is_included(pref, entry):
                return self._use(idx, var)
        if forced:
            raise CmdbExhaustedError(role=self.role,
                                     reason=f"no entry holds {dict(sorted(var2.items()))}")
        for idx, entry in enumerate(self.entries):
            if "used" not in entry:
                return self._use(idx, var)
        raise CmdbExhaustedError(role=self.role,
                                 reason=f"all {len(self.entries)} entries are used")

    def can_bind(self, var: dict[str, Any], var2: dict[str, Any]) -> bool:
        """Whether :meth:`bind` would succeed, without changing anything."""
        pref = var2 if var2 else var
        if any(is_included(pref, entry) for entry in self.entries):
            return True
        return not var2 and any("used" not in entry for entry in self.entries)

    def _use(self, idx: int, var: dict[str, Any]) -> dict[str, Any]:
        merged = dict(self.entries[idx])
        merged.update(var)
        merged["used"] = 1
        if merged != self.entries[idx]:
            self.changed = True
        self.entries[idx] = merged
        return dict(merged)


def cmdb_path(rules_dir: str | Path, role: str) -> Path:
    """Where the cmdb of ``role`` lives."""
    return Path(rules_dir) / f"{role}.cmdb"


def save_cmdb(path: str | Path, entries: list[dict[str, Any]]) -> None:
    """Write ``entries`` as a literal list, atomically; call it under :func:`rules_lock`.

    The first time a ``generate(...)`` cmdb is replaced by its expansion, the
    original is kept as ``<role>.cmdb.orig`` (as ``hardware.cmdb`` does).
    """
    path = Path(path)
    if path.exists() and "generate(" in path.read_text(encoding="utf-8")[:200]:
        orig = path.with_name(path.name + ".orig")
        if not orig.exists():
            shutil.copy2(path, orig)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(pprint.pformat(entries) + "\n", encoding="utf-8")
    os.replace(tmp, path)


@contextlib.contextmanager
def rules_lock(rules_dir: str | Path, timeout: float = 60.0) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``<rules_dir>/.ahc-lock`` (shared by all runs).

    :raises LockTimeout: when another holder keeps it longer than ``timeout`` seconds.
    """
    lock_path = Path(rules_dir) / LOCK_NAME
    fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            tenacity.Retrying(retry=tenacity.retry_if_exception_type(BlockingIOError),
                              stop=tenacity.stop_after_delay(timeout),
                              wait=tenacity.wait_fixed(0.05))(
                fcntl.flock, fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except tenacity.RetryError:
            raise LockTimeout(path=str(lock_path), timeout=timeout) from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
