"""The Flask application factory."""

from typing import Any

import flask
from oslo_config import cfg

from discoverd import keystone
from discoverd.api import continue_, errors, introspection, rules, versions
from discoverd.auth import BasicAuth, read_htpasswd
from discoverd.service import Service


def create_app(conf: cfg.ConfigOpts, ironic: Any = None, service: Service | None = None
               ) -> flask.Flask:
    """Build the discoverd WSGI application.

    :param conf: a ``ConfigOpts`` with discoverd's options registered and parsed.
    :param ironic: an Ironic client replacing the configured one (tests).
    :param service: a ready ``Service`` (skips building one from ``conf``).
    """
    app = flask.Flask("discoverd")
    app.config["MAX_CONTENT_LENGTH"] = conf.max_content_length
    app.json.sort_keys = False
    app.extensions["discoverd"] = service or Service.from_conf(conf, ironic=ironic)
    if conf.auth_strategy == "http_basic":
        app.before_request(BasicAuth(read_htpasswd(conf.http_basic_auth_user_file))
                           .before_request)
    elif conf.auth_strategy == "keystone":
        keystone.install(app, conf)
    app.before_request(versions.check_version)
    app.after_request(versions.add_version_headers)
    for module in (versions, introspection, rules, continue_):
        app.register_blueprint(module.bp)
    app.register_error_handler(Exception, errors.handle)
    app.url_map.strict_slashes = False
    return app


def get_service(app: flask.Flask) -> Service:
    """The ``Service`` an application works with."""
    return app.extensions["discoverd"]
