"""One message for a node's ``driver_info`` problems, for every conductor interface.

Each interface's parser (``ipmi/driver_info.py``, ``quintupleo/driver_info.py``)
finds its own missing fields and malformed ones; :func:`raise_problems` words them
the same way and says whether fields are only missing, which
``ironic_task.parse_driver_info`` turns into Ironic's ``MissingParameterValue``
(else ``InvalidParameterValue``). Plain Python: the parsers import no Ironic.
"""

from __future__ import annotations

from collections.abc import Sequence

from ironic_tripleo.exception import TripleOError


def raise_problems(error: type[TripleOError], node: str, missing: Sequence[str],
                   bad: Sequence[str]) -> None:
    """Raise ``error(node=..., problems=..., missing_only=...)`` when there are any.

    :param missing: names of the missing fields.
    :param bad: descriptions of the malformed ones (no secret values).
    """
    if not (missing or bad):
        return
    parts = [f"driver_info {b}" for b in bad]
    if missing:
        parts.append("missing " + ", ".join(missing))
    raise error(node=node, problems="; ".join(parts), missing_only=not bad)
