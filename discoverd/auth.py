"""API authentication: ``noauth`` or ``http_basic`` against an htpasswd file (bcrypt).

The version documents and ``/v1/continue`` (the ramdisk has no credentials) stay
public. Passwords are never logged.
"""

import base64
import binascii
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
        if not header or not header.startswith("Basic "):
            raise exception.Unauthorized(reason="HTTP basic credentials are missing")
        try:
            user, _, password = base64.b64decode(header[6:], validate=True).decode(
            ).partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise exception.Unauthorized(reason="malformed basic credentials") from None
        hashed = self.users.get(user)
        if hashed is None or not bcrypt.checkpw(password.encode(), hashed):
            LOG.info("authentication failed for user %s", user)
            raise exception.Unauthorized(reason="invalid user name or password")
        return user

    def before_request(self) -> None:
        if flask.request.endpoint in PUBLIC_ENDPOINTS or flask.request.endpoint is None:
            return
        flask.g.user = self.check(flask.request.headers.get("Authorization"))
