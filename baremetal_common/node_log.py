"""One prefix for log lines about a node: ``[node <id> MAC <mac> BMC <address>]``.

As ironic-inspector's processing logger, a ``logging.LoggerAdapter`` puts the node
context in front of the message, so that every package writes it the same way and a
grep for a node's UUID finds all of its lines::

    node_log(LOG, uuid).info("introspection finished")
    node_log(LOG, uuid, mac=mac, bmc=address).warning("no port for %s", mac)

Only what is known is shown; ``%`` in the context is escaped (a node name may hold one).
"""

from __future__ import annotations

import logging
from typing import Any


def prefix(node: object, mac: object = None, bmc: object = None) -> str:
    """The bracketed context, e.g. ``[node 1be2... MAC 52:54:00:aa:bb:cc]``."""
    parts = [f"node {node}"]
    if mac:
        parts.append(f"MAC {mac}")
    if bmc:
        parts.append(f"BMC {bmc}")
    return "[" + " ".join(parts) + "]"


class NodeLogAdapter(logging.LoggerAdapter):
    """Prefix every message with the node context given at construction."""

    def __init__(self, logger: logging.Logger | logging.LoggerAdapter, node: object,
                 mac: object = None, bmc: object = None) -> None:
        super().__init__(logger, {"node": node, "mac": mac, "bmc": bmc})
        self.prefix = prefix(node, mac, bmc)

    def log(self, level: int, msg: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stacklevel", 3)  # the line that called info(), warning() ...
        # logging %-formats the message only when there are arguments
        context = self.prefix.replace("%", "%%") if args else self.prefix
        self.logger.log(level, f"{context} {msg}", *args, **kwargs)  # noqa: G004 - the prefix, args stay lazy


def node_log(logger: logging.Logger | logging.LoggerAdapter, node: object,
             mac: object = None, bmc: object = None) -> NodeLogAdapter:
    """A logger whose lines start with the node's context (:func:`prefix`)."""
    return NodeLogAdapter(logger, node, mac, bmc)
