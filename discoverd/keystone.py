"""``auth_strategy = keystone``: keystonemiddleware's ``auth_token`` plus a role check.

The middleware wraps the WSGI app with ``delay_auth_decision`` so that public
endpoints (the version documents and ``/v1/continue``: the ramdisk has no token)
pass without a token; every other endpoint needs a token Keystone confirmed
(401) carrying one of ``[DEFAULT] keystone_roles`` (403). The middleware strips
identity headers a client sends, so they cannot be forged.
"""

import logging

import flask
from oslo_config import cfg

from discoverd import exception
from discoverd.auth import PUBLIC_ENDPOINTS

LOG = logging.getLogger(__name__)

GROUP = "keystone_authtoken"


def challenge(conf: cfg.ConfigOpts) -> str:
    """The ``WWW-Authenticate`` value of a 401 (where to get a token)."""
    uri = conf[GROUP].www_authenticate_uri
    return f'Keystone uri="{uri}"' if uri else "Keystone"


class RoleCheck:
    """``before_request`` check of the identity ``auth_token`` put in the environment.

    :param roles: role names allowed to use the API (compared case-insensitively).
    :param challenge: ``WWW-Authenticate`` value sent with 401 answers.
    """

    def __init__(self, roles: list[str], challenge: str = "Keystone") -> None:
        self.roles = {role.strip().lower() for role in roles if role.strip()}
        self.challenge = challenge

    def check(self, headers: dict[str, str] | object) -> str:
        """Return the user the request's confirmed token names.

        :raises Unauthorized: without a token Keystone confirmed.
        :raises Forbidden: when the token has none of the allowed roles.
        """
        if headers.get("X-Identity-Status") != "Confirmed":
            raise exception.Unauthorized(
                reason="a valid Keystone token is required in X-Auth-Token",
                challenge=self.challenge)
        user = headers.get("X-User-Name") or headers.get("X-User-Id") or "?"
        roles = {r.strip().lower() for r in (headers.get("X-Roles") or "").split(",")}
        if not roles & self.roles:
            LOG.info("user %s refused: roles %s, allowed %s", user,
                     sorted(roles - {""}), sorted(self.roles))
            raise exception.Forbidden(
                reason=f"user {user} has none of the roles allowed to use this API "
                       f"({', '.join(sorted(self.roles))}; [DEFAULT] keystone_roles)")
        return user

    def before_request(self) -> None:
        if flask.request.endpoint in PUBLIC_ENDPOINTS or flask.request.endpoint is None:
            return
        flask.g.user = self.check(flask.request.headers)


def install(app: flask.Flask, conf: cfg.ConfigOpts) -> None:
    """Wrap ``app`` with ``auth_token`` (options from ``[keystone_authtoken]``)."""
    from keystonemiddleware import auth_token

    app.wsgi_app = auth_token.AuthProtocol(  # type: ignore[method-assign]
        app.wsgi_app, {"oslo_config_config": conf, "delay_auth_decision": "true"})
    app.before_request(RoleCheck(conf.keystone_roles, challenge(conf)).before_request)
