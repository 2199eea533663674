"""How to read a failure raised by pyghmi: no answer, refused credentials, or other.

pyghmi raises ``IpmiException`` for all of them and tells them apart only by the
message text (RMCP+ status strings from ``pyghmi.ipmi.private.constants``).

No exception class lives here (those are in :mod:`ironic_tripleo.exception`): this
module only sorts pyghmi's failures so that the session pool knows whether to retry,
give up on the credentials, or pass the BMC's answer on.
"""

from __future__ import annotations

from pyghmi import exceptions as pyghmi_exc

CREDENTIALS = "credentials"
TRANSIENT = "transient"
ANSWERED = "answered"

# RMCP+/RAKP status texts meaning the BMC refused who we are.
_CREDENTIAL_TEXTS = (
    "incorrect password",
    "unauthorized name",
    "unauthorized role",
    "invalid role",
    "invalid username length",
    "invalid integrity check value",
    "unauthorized guid",
)
# Texts meaning nothing (or nothing sensible) came back: worth a fresh session.
_TRANSIENT_TEXTS = (
    "timeout",
    "no longer connected",
    "session failed",
    "session disconnected",
    "invalid session id",
    "inactive session id",
)


def classify(error: BaseException) -> str:
    """Say what kind of failure ``error`` is.

    :param error: an exception raised by pyghmi (or by the socket layer under it).
    :returns: ``CREDENTIALS`` (the BMC refused the user or password), ``TRANSIENT``
        (no answer or the session was lost; retrying on a new session may help) or
        ``ANSWERED`` (the BMC answered with an error; retrying will not help).
    """
    if isinstance(error, OSError | TimeoutError):
        return TRANSIENT
    if not isinstance(error, pyghmi_exc.PyghmiException):
        return ANSWERED  # a bug or a malformed answer: a retry would not help
    text = str(error.args[0]).lower() if error.args and error.args[0] is not None else ""
    if any(t in text for t in _CREDENTIAL_TEXTS):
        return CREDENTIALS
    if not text or any(t in text for t in _TRANSIENT_TEXTS):
        return TRANSIENT
    code = getattr(error, "ipmicode", None)
    if code == 0xFFFF:
        return TRANSIENT
    return ANSWERED
