"""Errors raised by ironic_tripleo.

One base class; each subclass carries a message template whose fields name the
node, the bad value and what is allowed. Exceptions never log.
"""


class TripleOError(Exception):
    """Base of every error raised by ironic_tripleo."""

    message = "An unknown error occurred"

    def __init__(self, message: str | None = None, **kwargs: object) -> None:
        if message is None:
            message = self.message % kwargs if kwargs else self.message
        self.kwargs = kwargs
        super().__init__(message)
