"""Errors raised by ahc_rules.

One base class, :class:`AhcError`; each subclass carries a message template whose
fields name the file, the line, the bad value and what is allowed. Exceptions never log.
"""

from __future__ import annotations

from baremetal_common.errors import TemplatedError


class AhcError(TemplatedError):
    """Base of every error raised by ahc_rules."""

    message = "An unknown role matching error occurred"


class RuleFileError(AhcError):
    """A rule file (specs, state, cmdb) cannot be read or parsed."""

    message = "%(filename)s:%(line)s: %(reason)s (at %(near)s)"


class UnsafeRuleError(RuleFileError):
    """A rule file contains something other than literals (code, names, calls)."""

    message = (
        "%(filename)s:%(line)s: %(near)s is not allowed: rule files may only hold "
        "strings, numbers, lists, tuples, dicts%(extra)s"
    )


class RulesDirError(AhcError):
    """The rules directory is missing a file or is inconsistent."""

    message = "%(path)s: %(reason)s"


class FactsError(AhcError):
    """A facts file has an unknown or broken format."""

    message = (
        "%(path)s: %(reason)s; expected a JSON list of [class, name, key, value], "
        "hardware-detect output, or discoverd data {\"data\": [...], \"inventory\": {...}}"
    )


class CmdbExhaustedError(AhcError):
    """No free cmdb entry is left for a role (or none matches its $$ variables)."""

    message = "cmdb of role %(role)s: %(reason)s"


class LockTimeout(AhcError):
    """The rules directory lock could not be taken in time."""

    message = "could not lock %(path)s within %(timeout)ss (another ahc-match running?)"


class IronicMatchError(AhcError):
    """Matching against Ironic failed (node listing, update or a lost race)."""

    message = "node %(node)s: %(reason)s"
