"""``POST /v1/continue``: the ramdisk's callback (public)."""

import flask

from discoverd import processing
from discoverd.api.errors import json_body

bp = flask.Blueprint("continue", __name__)


@bp.post("/v1/continue")
def continue_():
    """Process the data a discovery ramdisk posts; answers ``{"uuid": node}``."""
    return processing.process(flask.current_app.extensions["discoverd"], json_body())
