"""``/v1/introspection``: the API views (start, status, list, abort, data); the work
is in ``node_control`` (start, abort) and ``records`` (the stored introspections)."""

import flask

from discoverd import exception, node_control, processing, records
from discoverd.api.versions import link
from discoverd.db.models import Introspection
from discoverd.ironic import check_ident
from discoverd.service import Service
from discoverd.state import FINISHED_STATES, State

bp = flask.Blueprint("introspection", __name__, url_prefix="/v1/introspection")


@bp.url_value_preprocessor
def _check_node_id(endpoint: str | None, values: dict | None) -> None:
    """Every ``<node_id>`` must be a UUID or a node name before anything uses it."""
    if values and "node_id" in values:
        check_ident(values["node_id"])


def service() -> Service:
    return flask.current_app.extensions["discoverd"]


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def status(record: Introspection) -> dict:
    """The status document of one introspection."""
    return {"uuid": record.uuid, "state": record.state,
            "finished": record.state in FINISHED_STATES, "error": record.error,
            "started_at": _iso(record.started_at), "finished_at": _iso(record.finished_at),
            "links": link(f"/v1/introspection/{record.uuid}")}


def _bool_arg(name: str, default: bool) -> bool:
    value = flask.request.args.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise exception.InvalidInput(reason=f"query {name}={value!r} must be true or false")


#: States a ``state`` filter may name: ours, and ironic-inspector's two that discoverd
#: never enters (``enrolling``, ``reapplying``), which select nothing rather than fail a
#: client written for ironic-inspector.
FILTER_STATES = frozenset(State) | {"enrolling", "reapplying"}


def _states_arg() -> list[str] | None:
    """The ``state`` filter (API 1.18): comma-separated, repeatable; ``None`` if absent.

    ironic-inspector reads only the first ``state`` parameter; discoverd takes the
    union of all of them, which is the same answer for every query inspector accepts.
    """
    values = flask.request.args.getlist("state")
    if not values:
        return None
    states = [s for value in values for s in value.split(",")]
    invalid = [s for s in states if s not in FILTER_STATES]
    if invalid:
        raise exception.InvalidInput(
            reason=f"state(s) {', '.join(map(repr, invalid))} are not valid; use one or "
                   f"more of {', '.join(sorted(FILTER_STATES))}, comma-separated")
    return states


@bp.post("/<node_id>")
def start_introspection(node_id: str):
    """Start introspection of a node (UUID or name); 202."""
    manage_boot = _bool_arg("manage_boot", True)
    node_control.start(service(), node_id, manage_boot=manage_boot)
    return "", 202


@bp.get("/<node_id>")
def get_status(node_id: str):
    """Status of the last introspection of a node."""
    svc = service()
    return status(records.get(svc.db, node_control.resolve(svc, node_id)))


@bp.get("")
@bp.get("/")
def list_statuses():
    """Introspection statuses, newest first; ``marker`` and ``limit`` paginate.

    ``state`` (API 1.18) keeps only introspections in the given states.
    """
    svc = service()
    marker = flask.request.args.get("marker") or None
    limit_arg = flask.request.args.get("limit")
    limit = svc.api_max_limit
    if limit_arg:
        try:
            limit = int(limit_arg)
        except ValueError:
            limit = -1
        if not 0 < limit <= svc.api_max_limit:
            raise exception.InvalidInput(
                reason=f"limit={limit_arg!r} must be an integer from 1 to {svc.api_max_limit}")
    if marker is not None and not node_control.is_uuid(marker):
        raise exception.InvalidInput(reason=f"marker {marker!r} must be a node UUID")
    states = _states_arg()
    found = records.list_page(svc.db, marker, limit, states)
    return {"introspection": [status(r) for r in found]}


@bp.post("/<node_id>/abort")
def abort_introspection(node_id: str):
    """Abort a running introspection; 202."""
    svc = service()
    node_control.abort(svc, node_control.resolve(svc, node_id))
    return "", 202


@bp.get("/<node_id>/data")
def get_data(node_id: str):
    """Processed data of the last introspection."""
    svc = service()
    return records.get_data(svc.db, node_control.resolve(svc, node_id), processed=True)


@bp.get("/<node_id>/data/unprocessed")
def get_unprocessed_data(node_id: str):
    """Raw data the ramdisk sent."""
    svc = service()
    return records.get_data(svc.db, node_control.resolve(svc, node_id), processed=False)


@bp.post("/<node_id>/data/unprocessed")
def reapply_hooks(node_id: str):
    """Re-run hooks and rules on the stored raw data of a finished introspection; 202."""
    svc = service()
    processing.reapply(svc, node_control.resolve(svc, node_id))
    return "", 202
