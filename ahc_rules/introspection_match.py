"""Role matching for one node at introspection time, safe against concurrent runs.

Inspection hooks decide a node's role before the node is written: discoverd applies
the hooks' changes at the end of its pipeline, Ironic saves the node after its
hooks. Between the decision and the write another introspection could count the
same free place. So each decision is recorded as a *claim* in
``<rules_dir>/.ahc-claims.json`` under :func:`~ahc_rules.cmdb.rules_lock`; counts are
the profiles Ironic shows overlaid with the fresh claims (a claim wins for its node
while it is younger than ``ttl``; after that Ironic is the truth again).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ahc_rules.assign import match_node, new_cmdbs, remaining_places
from ahc_rules.cmdb import cmdb_path, rules_lock, save_cmdb
from ahc_rules.matcher import NodeFacts
from ahc_rules.rules_dir import load_rules
from baremetal_common.node_log import node_log

LOG = logging.getLogger(__name__)
CLAIMS_NAME = ".ahc-claims.json"
#: Seconds a claim counts for its node (longer than any hook-to-write delay).
CLAIM_TTL = 900.0


def load_claims(rules_dir: str | Path, now: float, ttl: float = CLAIM_TTL
                ) -> dict[str, dict[str, Any]]:
    """Fresh claims, node UUID -> ``{"role": ..., "at": epoch}`` (call under the lock)."""
    path = Path(rules_dir) / CLAIMS_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict):
        return {}
    return {uuid: claim for uuid, claim in raw.items()
            if isinstance(claim, dict) and now - float(claim.get("at", 0)) < ttl}


def save_claims(rules_dir: str | Path, claims: Mapping[str, dict[str, Any]]) -> None:
    """Write the claims atomically (call under the lock)."""
    path = Path(rules_dir) / CLAIMS_NAME
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(claims, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def held_counts(profiles: Mapping[str, str], claims: Mapping[str, Mapping[str, Any]],
                exclude: str) -> Counter:
    """How many nodes hold each profile, claims overriding Ironic, ``exclude`` left out."""
    merged = dict(profiles)
    merged.update({uuid: claim.get("role") for uuid, claim in claims.items()})
    return Counter(role for uuid, role in merged.items() if role and uuid != exclude)


def fact_list(data: Any, extra: Any) -> list[Sequence[Any]] | None:
    """The ``[[c, n, k, v], ...]`` list from ``data``, else rebuilt from the nested dict
    ``{class: {name: {key: value}}}`` that the extra-hardware hooks leave instead."""
    if isinstance(data, list) and data:
        return [item for item in data if isinstance(item, list | tuple) and len(item) == 4]
    if isinstance(extra, dict) and extra:
        return [[cls, name, key, value]
                for cls, names in extra.items() if isinstance(names, dict)
                for name, keys in names.items() if isinstance(keys, dict)
                for key, value in keys.items()]
    return None


def claim_role(rules_dir: str | Path, node: str, facts: NodeFacts,
               profiles: Callable[[], Mapping[str, str]], lock_timeout: float = 60.0,
               ttl: float = CLAIM_TTL) -> tuple[str | None, dict[str, Any]]:
    """Match one node and, on a match, claim its place and bind its cmdb entry.

    :param rules_dir: the rules directory (state, specs, cmdbs; holds the lock).
    :param node: the node's UUID.
    :param facts: its facts.
    :param profiles: returns node UUID -> ``profile`` capability for every node in
        Ironic; called under the lock.
    :returns: ``(role or None, variables)``; variables hold the cmdb entry's values
        without its ``used`` marker.
    :raises LockTimeout: the rules directory stays locked.
    :raises RulesDirError, RuleFileError: the rules do not load.
    """
    with rules_lock(rules_dir, lock_timeout):
        rules = load_rules(rules_dir)
        now = time.time()
        claims = load_claims(rules_dir, now, ttl)
        held = held_counts(profiles(), claims, exclude=node)
        cmdbs = new_cmdbs(rules)
        role, variables = match_node(rules, facts, remaining_places(rules, held), cmdbs)
        if role is None:
            if claims.pop(node, None) is not None:
                save_claims(rules_dir, claims)
            return None, {}
        cmdb = cmdbs.get(role)
        if cmdb is not None and cmdb.changed:
            save_cmdb(cmdb_path(rules_dir, role), cmdb.entries)
        claims[node] = {"role": role, "at": now}
        save_claims(rules_dir, claims)
    node_log(LOG, node).info("role %s (held before: %s)", role, dict(held))
    variables.pop("used", None)
    return role, variables
