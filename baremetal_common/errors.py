"""The one behaviour every package's exception base shares: a message template.

``TripleOError`` (ironic_tripleo), ``DiscoverdError`` (discoverd) and ``AhcError``
(ahc_rules) derive from :class:`TemplatedError`; each subclass sets ``message``, a
``%``-template whose fields name the node, the bad value and what is allowed, and is
raised with those fields as keyword arguments (kept in ``kwargs``). A template whose
fields do not match the arguments still gives a readable message rather than a
second exception. Exceptions never log. The ramdisk agent ships alone in its image
without this package; ``ramdisk.exception.RamdiskError`` behaves the same way.
"""

from __future__ import annotations


class TemplatedError(Exception):
    """An error whose text is ``message % kwargs`` unless a text is given."""

    message = "An unknown error occurred"

    def __init__(self, message: str | None = None, **kwargs: object) -> None:
        self.kwargs = kwargs
        if message is None:
            message = self._render(kwargs)
        super().__init__(message)

    def _render(self, kwargs: dict[str, object]) -> str:
        if not kwargs:
            return self.message
        try:
            return self.message % kwargs
        except (KeyError, TypeError, ValueError):
            fields = ", ".join(f"{k}={v!r}" for k, v in sorted(kwargs.items()))
            return f"{self.message} ({fields})"
