"""API authentication: ``noauth`` or ``http_basic`` against an htpasswd file (bcrypt).

The version documents and ``/v1/continue`` (the ramdisk has no credentials) stay
public. Passwords are never logged.
"""

import base64
import logging
from pathlib import Path

import bcrypt
import flask

from discoverd import exception

LOG = logging.getLogger(__name__)

PUBLIC_ENDPOINTS = frozenset({"versions.root", "versions.v1", "continue.continue_"})


def read_htpasswd(path: str | Path) -> dict[str, bytes]:
    """Return ``{user: bcrypt hash}`` from an htpasswd file.

    :raises ConfigError: when the file is missing or has a non-bcrypt entry.
    """
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as exc:
        raise exception.ConfigError(
            reason=f"http_basic_auth_user_file {path} cannot be read: {exc}") from None
    users = {}
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, hashed = line.partition(":")
        if not sep or not hashed.startswith(("$2y$", "$2b$", "$2a$")):
            raise exception.ConfigError(
                reason=f"{path}:{number}: expected 'user:<bcrypt hash>' "
                       f"(htpasswd -B); other hash types are not supported")
        users[user] = hashed.encode()
    return users


#: bcrypt only reads this many bytes of a password (the ``bcrypt`` package refuses more).
BCRYPT_MAX_BYTES = 72


def _password_matches(password: str, hashed: bytes) -> bool:
    """Check a password against a bcrypt hash; a longer password than bcrypt reads
    never matches (it cannot be the one the hash was made from)."""
    secret = password.encode()
    if len(secret) > BCRYPT_MAX_BYTES:
        return False
    try:
        return bcrypt.checkpw(secret, hashed)
    except ValueError:  # a malformed hash in the htpasswd file
        LOG.error("the bcrypt hash of a user in the htpasswd file is malformed")
        return False


class BasicAuth:
    """``before_request`` check of HTTP basic credentials.

    :param users: ``{user: bcrypt hash}``.
    """

    def __init__(self, users: dict[str, bytes]) -> None:
        self.users = users

    def check(self, header: str | None) -> str:
        """Return the user named by an ``Authorization`` header.

        :raises Unauthorized: for a missing, malformed or wrong credential.
        """
        scheme, _, credentials = (header or "").strip().partition(" ")
        if scheme.lower() != "basic":  # RFC 7617: the scheme is case-insensitive
            raise exception.Unauthorized(reason="HTTP basic credentials are missing")
        try:
            user, _, password = base64.b64decode(credentials.strip(), validate=True).decode(
            ).partition(":")
        except ValueError:  # binascii.Error, UnicodeDecodeError, non-ASCII text
            raise exception.Unauthorized(reason="malformed basic credentials") from None
        hashed = self.users.get(user)
        if hashed is None or not _password_matches(password, hashed):
            LOG.info("authentication failed for user %r", user)
            raise exception.Unauthorized(reason="invalid user name or password")
        return user

    def before_request(self) -> None:
        if flask.request.endpoint in PUBLIC_ENDPOINTS or flask.request.endpoint is None:
            return
        flask.g.user = self.check(flask.request.headers.get("Authorization"))
