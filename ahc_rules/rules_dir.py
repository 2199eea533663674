"""A rules directory: the ``state`` file (roles in priority order, counts), each
role's ``<role>.specs`` and optional ``<role>.cmdb``, all parsed safely and compiled.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from ahc_rules.exception import RuleFileError, RulesDirError
from ahc_rules.matcher import CompiledSpec, compile_specs
from ahc_rules.rules_parser import SpecLine, parse_cmdb, parse_specs, parse_state

STATE_FILE = "state"


@dataclasses.dataclass(frozen=True)
class Role:
    """One role of the state file, ready to match.

    :param name: the profile name (``control``, ``ceph-storage``).
    :param count: how many nodes the role wants in total; None for ``'*'``.
    :param specs: compiled spec lines.
    :param cmdb: the cmdb entries as read, or None when the role has no cmdb.
    :param line: the state file line that names the role.
    """

    name: str
    count: int | None
    specs: tuple[CompiledSpec, ...]
    cmdb: tuple[dict[str, Any], ...] | None = None
    line: int = 0

    @property
    def spec_lines(self) -> list[SpecLine]:
        """The parsed spec lines with their file and line numbers."""
        return [spec.source for spec in self.specs]


@dataclasses.dataclass(frozen=True)
class RuleSet:
    """All roles of a rules directory, in state (priority) order."""

    path: Path
    roles: tuple[Role, ...]

    def role(self, name: str) -> Role:
        """The role called ``name``. :raises KeyError: unknown role."""
        for role in self.roles:
            if role.name == name:
                return role
        raise KeyError(name)

    @property
    def counts(self) -> dict[str, int | None]:
        """Wanted count per role (None: any number)."""
        return {role.name: role.count for role in self.roles}


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleFileError(filename=str(path), line=0, near="-",
                            reason=f"cannot read: {exc.strerror}") from None


def load_role(rules_dir: Path, name: str, count: int | None, line: int = 0) -> Role:
    """Read and compile ``<name>.specs`` and ``<name>.cmdb`` (if present).

    :raises RulesDirError: the specs file is missing.
    :raises RuleFileError: a file does not parse or a function text is bad.
    """
    specs_path = rules_dir / f"{name}.specs"
    if not specs_path.is_file():
        raise RulesDirError(path=str(rules_dir / STATE_FILE),
                            reason=f"line {line}: role {name!r} has no {specs_path.name}")
    specs = compile_specs(parse_specs(_read(specs_path), str(specs_path)))
    cmdb_file = rules_dir / f"{name}.cmdb"
    cmdb = None
    if cmdb_file.is_file():
        cmdb = tuple(parse_cmdb(_read(cmdb_file), str(cmdb_file)))
    return Role(name=name, count=count, specs=specs, cmdb=cmdb, line=line)


def load_rules(rules_dir: str | Path) -> RuleSet:
    """Load a whole rules directory (``state`` + specs + cmdbs).

    :param rules_dir: directory holding ``state`` and ``<role>.specs`` files.
    :raises RulesDirError: missing directory, state file or specs file.
    :raises RuleFileError: a file that does not parse (names file, line, token).
    """
    path = Path(rules_dir)
    state_path = path / STATE_FILE
    if not path.is_dir():
        raise RulesDirError(path=str(path), reason="not a directory")
    if not state_path.is_file():
        raise RulesDirError(path=str(path), reason="no 'state' file (roles and counts)")
    entries = parse_state(_read(state_path), str(state_path))
    roles = tuple(load_role(path, entry.role, entry.count, entry.line) for entry in entries)
    return RuleSet(path=path, roles=roles)
