"""What every conductor-side interface reads from Ironic's task the same way.

The node's label for messages, and its ``driver_info`` parsed by an interface's own
parser with Ironic's error split: only missing fields -> ``MissingParameterValue``,
anything malformed -> ``InvalidParameterValue`` (both name every bad field).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ironic.common import exception as ironic_exc

from ironic_tripleo.exception import TripleOError

T = TypeVar("T")


def node_label(task: Any) -> str:
    """The node's name and UUID (or just the UUID) for messages."""
    node = task.node
    name = getattr(node, "name", None)
    return f"{name} ({node.uuid})" if name else str(node.uuid)


def parse_driver_info(task: Any, parse: Callable[..., T],
                      error: type[TripleOError]) -> T:
    """``parse(driver_info, node=label)``, its ``error`` re-raised as Ironic's.

    :param error: the parser's exception; ``kwargs["missing_only"]`` says that
        fields are only missing.
    :raises: Ironic's MissingParameterValue or InvalidParameterValue.
    """
    try:
        return parse(task.node.driver_info or {}, node=node_label(task))
    except error as e:
        if e.kwargs.get("missing_only"):
            raise ironic_exc.MissingParameterValue(str(e)) from e
        raise ironic_exc.InvalidParameterValue(str(e)) from e
