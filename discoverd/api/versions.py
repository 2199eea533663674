"""API versions: ``GET /``, ``GET /v1`` and microversion negotiation.

Every response carries the minimum and maximum headers; a request may ask for a
version with ``X-OpenStack-Ironic-Inspector-API-Version: X.Y`` or ``latest``.
"""

import flask

from discoverd import exception

MIN_VERSION = (1, 0)
MAX_VERSION = (1, 18)
VERSION_HEADER = "X-OpenStack-Ironic-Inspector-API-Version"
MIN_HEADER = "X-OpenStack-Ironic-Inspector-API-Minimum-Version"
MAX_HEADER = "X-OpenStack-Ironic-Inspector-API-Maximum-Version"

bp = flask.Blueprint("versions", __name__)


def fmt(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


def requested_version() -> tuple[int, int]:
    """The version this request asked for (the minimum when it asked for none).

    :raises InvalidInput: for a malformed header.
    :raises NotAcceptable: for a version outside the supported range.
    """
    text = flask.request.headers.get(VERSION_HEADER)
    if not text:
        return MIN_VERSION
    if text.strip().lower() == "latest":
        return MAX_VERSION
    try:
        major, minor = (int(x) for x in text.strip().split("."))
    except ValueError:
        raise exception.InvalidInput(
            reason=f"malformed {VERSION_HEADER} {text!r}; use X.Y or latest") from None
    if not MIN_VERSION <= (major, minor) <= MAX_VERSION:
        raise exception.NotAcceptable(requested=text, minimum=fmt(MIN_VERSION),
                                      maximum=fmt(MAX_VERSION))
    return major, minor


def check_version() -> None:
    """``before_request``: reject unsupported versions; remember the chosen one."""
    flask.g.api_version = requested_version()


def add_version_headers(response: flask.Response) -> flask.Response:
    """``after_request``: advertise the supported range and the version used."""
    response.headers[MIN_HEADER] = fmt(MIN_VERSION)
    response.headers[MAX_HEADER] = fmt(MAX_VERSION)
    response.headers[VERSION_HEADER] = fmt(flask.g.get("api_version", MIN_VERSION))
    return response


def link(path: str) -> list[dict[str, str]]:
    """A self link to ``path`` under this server's root URL."""
    return [{"href": flask.request.host_url.rstrip("/") + path, "rel": "self"}]


@bp.get("/")
def root():
    """The list of API versions (only v1)."""
    return {"versions": [{"id": fmt(MAX_VERSION), "status": "CURRENT",
                          "links": link("/v1")}]}


@bp.get("/v1")
@bp.get("/v1/")
def v1():
    """The resources of API v1."""
    return {"resources": [{"name": name, "links": link(f"/v1/{name}")}
                          for name in ("introspection", "continue", "rules")]}
