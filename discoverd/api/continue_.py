"""``POST /v1/continue``: the ramdisk's callback (public)."""

import flask

from discoverd import exception, processing, refusal, schemas
from discoverd.api import body

bp = flask.Blueprint("continue", __name__)


@bp.post("/v1/continue")
def continue_():
    """Process the data a discovery ramdisk posts; answers ``{"uuid": node}``.

    Data refused here (bad text, nesting, numbers, schema) ends the introspection
    of the node it names in error, so the node is never left waiting for nothing.
    """
    service = flask.current_app.extensions["discoverd"]
    payload = body.request_json()
    try:
        reason = body.problem(payload)
        if reason:
            raise exception.InvalidInput(reason=f"ramdisk data: {reason}")
        schemas.validate_continue(payload)
    except exception.InvalidInput as exc:
        refusal.end_introspection(service, payload, str(exc))
        raise
    return processing.process(service, payload)
