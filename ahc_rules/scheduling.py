"""How Nova schedules onto a role's nodes: a resource class and a trait per role.

Today's Nova places a bare-metal server through Placement: an Ironic node offers one
unit of its resource class, normalised the way Nova's Ironic driver does it
(``baremetal.control`` -> ``CUSTOM_BAREMETAL_CONTROL``), plus its traits. A role's
flavor asks for that unit, zero VCPU/MEMORY_MB/DISK_GB, and requires the role's trait.

Per role, the rules directory may hold ``scheduling.yaml``::

    defaults:                       # for every role (these are the built-in ones)
      resource_class: baremetal.{role}
      trait: CUSTOM_PROFILE_{ROLE}  # null: no trait
    control:                        # one role
      resource_class: baremetal.ctl

``{role}`` is the role name, ``{ROLE}`` the role upper-cased with ``-`` and ``.``
turned into ``_``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ahc_rules.exception import RulesDirError

FILE = "scheduling.yaml"
DEFAULT_RESOURCE_CLASS = "baremetal.{role}"
DEFAULT_TRAIT = "CUSTOM_PROFILE_{ROLE}"
_TRAIT = re.compile(r"^CUSTOM_[A-Z0-9_]+$")
_KEYS = {"resource_class", "trait"}
#: Ironic's limit on ``resource_class``.
MAX_RESOURCE_CLASS = 80
#: Provision states in which Ironic lets a node's resource class change: not deployed.
RESOURCE_CLASS_STATES = frozenset({"enroll", "manageable", "inspecting", "inspect wait",
                                   "available"})


def placement_name(resource_class: str) -> str:
    """The Placement resource class Nova's Ironic driver reports for a node.

    Non-alphanumeric runs become ``_``, then upper case with a ``CUSTOM_`` prefix.
    """
    return "CUSTOM_" + re.sub("[^0-9A-Za-z]+", "_", resource_class).upper()


@dataclasses.dataclass(frozen=True)
class RoleScheduling:
    """The resource class (Ironic spelling) and trait (or None) of one role."""

    role: str
    resource_class: str
    trait: str | None

    @property
    def placement_class(self) -> str:
        return placement_name(self.resource_class)

    def flavor_extra_specs(self) -> dict[str, str]:
        """Extra specs that make a flavor land on this role's nodes only."""
        specs = {f"resources:{self.placement_class}": "1", "resources:VCPU": "0",
                 "resources:MEMORY_MB": "0", "resources:DISK_GB": "0"}
        if self.trait:
            specs[f"trait:{self.trait}"] = "required"
        return specs


def template_names(role: str) -> dict[str, str]:
    """The names a template may use: ``{role}`` and ``{ROLE}``."""
    return {"role": role, "ROLE": re.sub("[-.]", "_", role.upper())}


def resolve(role: str, resource_class: str, trait: str | None,
            source: str = FILE) -> RoleScheduling:
    """Fill the templates for ``role`` and check the results.

    :raises RulesDirError: an unknown template name, an empty or too long resource
        class, or a trait that is not ``CUSTOM_[A-Z0-9_]+``.
    """
    names = template_names(role)
    try:
        rc = resource_class.format(**names)
        tr = trait.format(**names) if trait else None
    except (KeyError, IndexError, ValueError) as exc:
        raise RulesDirError(path=source, reason=f"role {role}: bad template ({exc}); "
                                                "use {role} or {ROLE}") from None
    if not rc or len(rc) > MAX_RESOURCE_CLASS:
        raise RulesDirError(path=source, reason=f"role {role}: resource class {rc!r} must "
                                                f"have 1 to {MAX_RESOURCE_CLASS} characters")
    if tr is not None and not _TRAIT.match(tr):
        raise RulesDirError(path=source, reason=f"role {role}: trait {tr!r} is not "
                                                "CUSTOM_ followed by A-Z, 0-9 or _")
    return RoleScheduling(role, rc, tr)


def load(rules_dir: str | Path, roles: list[str],
         overrides: Mapping[str, str | None] | None = None) -> dict[str, RoleScheduling]:
    """The scheduling of each role: the role's entry, else ``defaults``, else built-ins.

    :param overrides: ``resource_class``/``trait`` templates given on the command
        line; they replace the file's ``defaults`` (a role's own entry still wins).
    :raises RulesDirError: the file does not parse or names an unknown role or key.
    """
    path = Path(rules_dir) / FILE
    data: dict[str, Any] = {}
    if path.is_file():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise RulesDirError(path=str(path), reason=f"not YAML: {exc}") from None
        if not isinstance(data, dict):
            raise RulesDirError(path=str(path), reason="expected a mapping of role names")
    unknown = set(data) - set(roles) - {"defaults"}
    if unknown:
        raise RulesDirError(path=str(path), reason=f"unknown roles {sorted(unknown)}; "
                                                   f"the state file has {roles}")
    for key, entry in data.items():
        if not isinstance(entry, dict) or set(entry) - _KEYS:
            raise RulesDirError(path=str(path), reason=f"{key}: expected a mapping with "
                                                       f"keys {sorted(_KEYS)}")
    base = {"resource_class": DEFAULT_RESOURCE_CLASS, "trait": DEFAULT_TRAIT}
    base.update(data.get("defaults", {}))
    base.update({k: v for k, v in (overrides or {}).items() if v is not None})
    result = {}
    for role in roles:
        entry = dict(base, **data.get(role, {}))
        if not entry["resource_class"]:
            raise RulesDirError(path=str(path), reason=f"{role}: a resource class is "
                                                       "required (Nova schedules on it)")
        result[role] = resolve(role, str(entry["resource_class"]), entry["trait"],
                               str(path))
    return result
