"""The one error handler: every error becomes ``{"error": {"message": ...}}``."""

import logging

import flask
from werkzeug.exceptions import HTTPException

from discoverd import exception

LOG = logging.getLogger(__name__)


def _body(message: str, code: int) -> tuple[dict, int]:
    return {"error": {"message": message}}, code


def handle(exc: Exception):
    """Map discoverd errors, HTTP errors (404, 405, 413...) and bugs to JSON."""
    if isinstance(exc, exception.DiscoverdError):
        body, code = _body(str(exc), exc.code)
        if code >= 500:
            LOG.error("%s %s: %s", flask.request.method, flask.request.path, exc)
    elif isinstance(exc, HTTPException):
        message = exc.description or exc.name
        if exc.code == 413:
            limit = flask.current_app.config.get("MAX_CONTENT_LENGTH")
            message = (f"Request body is larger than the limit of {limit} bytes "
                       f"([DEFAULT] max_content_length)")
        body, code = _body(message, exc.code or 500)
    else:
        LOG.exception("%s %s failed", flask.request.method, flask.request.path)
        body, code = _body(f"Internal error: {exc!r}; see the discoverd log", 500)
    response = flask.jsonify(body)
    response.status_code = code
    if code == 401:
        kwargs = getattr(exc, "kwargs", {})
        response.headers["WWW-Authenticate"] = kwargs.get("challenge",
                                                          'Basic realm="discoverd"')
    return response

