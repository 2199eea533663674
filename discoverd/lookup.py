"""Which node under introspection sent this ramdisk data: scored lookup.

Plain functions over data. The ramdisk reports its BMC address and its MACs; each
one that is recorded for exactly one node under introspection scores for that
node (a BMC address counts double: it names a machine, a MAC only a card). A
value recorded for several nodes says nothing and scores for none (in the lab
every virtual BMC is on 127.0.0.1). The best node must score strictly more than
the next one, or the lookup is ambiguous.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence

from baremetal_common import mac as mac_parser
from discoverd import exception
from discoverd.state import State

LOG = logging.getLogger(__name__)

WEIGHTS = {"bmc_address": 2, "mac": 1}
_NO_BMC = {"", "0.0.0.0", "::", "::/0"}  # noqa: S104 - what a BMC-less node reports


def normalize_mac(mac: object) -> str | None:
    """Return ``mac`` as ``aa:bb:cc:dd:ee:ff``, or None when it is not a MAC; the PXE
    form ``01-aa-bb-cc-dd-ee-ff`` that some ramdisks send as ``boot_interface`` too."""
    return mac_parser.normalize_mac(mac, pxe_form=True)


def _bmc(value: object) -> str | None:
    """A reported BMC address usable as a lookup key (printable text), or None."""
    if not isinstance(value, str) or len(value) > 255:
        return None
    text = value.strip()
    if text in _NO_BMC or not text.isprintable() or not text.isascii():
        return None
    return text


def lookup_keys(data: object) -> list[tuple[str, str]]:
    """Return the ``(attribute, value)`` pairs the ramdisk data can be found by.

    Any JSON value is accepted (a payload refused by the schema is still looked up
    so that its introspection can be ended); malformed parts are skipped.
    """
    if not isinstance(data, dict):
        return []
    inventory = data.get("inventory")
    if not isinstance(inventory, dict):
        inventory = {}
    keys: list[tuple[str, str]] = []
    for field in ("bmc_address", "bmc_v6address"):
        value = _bmc(inventory.get(field))
        if value is not None:
            keys.append(("bmc_address", value))
    interfaces = inventory.get("interfaces")
    macs = [iface.get("mac_address") for iface in
            (interfaces if isinstance(interfaces, list) else [])
            if isinstance(iface, dict)]
    macs.append(data.get("boot_interface"))
    for mac in macs:
        normal = normalize_mac(mac)
        if normal and ("mac", normal) not in keys:
            keys.append(("mac", normal))
    return keys


def describe(keys: Iterable[tuple[str, str]]) -> str:
    """Human-readable list of lookup keys, for error messages."""
    return ", ".join(f"{name} {value}" for name, value in keys) or "no BMC address or MAC"


def choose(keys: Sequence[tuple[str, str]], rows: Iterable[tuple[str, str, str, str]]
           ) -> str:
    """Pick the node the ramdisk data belongs to.

    :param keys: what the ramdisk reported (``lookup_keys``).
    :param rows: ``(uuid, state, name, value)`` of stored attributes matching keys.
    :returns: the node UUID.
    :raises LookupFailed: when nothing matches.
    :raises AmbiguousLookup: when two nodes score equally.
    :raises Conflict: when the node is neither waiting for ramdisk data nor processing.
    """
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    states: dict[str, str] = {}
    for uuid, state, name, value in rows:
        owners[(name, value)].add(uuid)
        states[uuid] = state
    if not owners:
        raise exception.LookupFailed(
            what=describe(keys),
            reason="no node under introspection has any of these; start introspection "
                   "of the node first (POST /v1/introspection/<node>)")
    scores: dict[str, int] = defaultdict(int)
    evidence: dict[str, list[str]] = defaultdict(list)
    for (name, value), uuids in owners.items():
        if len(uuids) == 1:
            uuid = next(iter(uuids))
            scores[uuid] += WEIGHTS.get(name, 1)
            evidence[uuid].append(f"{name} {value}")
        else:
            LOG.warning("%s %s is recorded for nodes %s; ignored for lookup",
                        name, value, ", ".join(sorted(uuids)))
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        shared = [f"{n} {v} -> {', '.join(sorted(u))}" for (n, v), u in owners.items()
                  if len(u) > 1]
        tied = [f"node {u} by {', '.join(evidence[u])}" for u, s in ranked
                if s == (ranked[0][1] if ranked else 0)]
        raise exception.AmbiguousLookup(reason="; ".join(tied + shared))
    uuid = ranked[0][0]
    # processing: the claim decides (a dead owner's record is taken over).
    if states[uuid] not in (State.waiting, State.processing):
        raise exception.Conflict(
            reason=f"Node {uuid} matched by {', '.join(evidence[uuid])} is in state "
                   f"'{states[uuid]}', not waiting for ramdisk data")
    return uuid
