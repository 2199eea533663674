"""``/v1/rules``: create, list, get, delete introspection rules."""

import uuid as uuidlib

import flask

from discoverd import exception
from discoverd.api.body import json_body
from discoverd.api.versions import link
from discoverd.rules import store
from discoverd.rules.engine import validate_rule
from discoverd.service import Service

bp = flask.Blueprint("rules", __name__, url_prefix="/v1/rules")


def service() -> Service:
    return flask.current_app.extensions["discoverd"]


@bp.url_value_preprocessor
def _check_uuid(endpoint: str | None, values: dict | None) -> None:
    """A rule is named by its UUID: anything else (NUL, 5,000 characters) is unknown
    without asking the database, whose text type may refuse it."""
    if values and "uuid" in values:
        try:
            values["uuid"] = str(uuidlib.UUID(values["uuid"]))
        except ValueError:
            raise exception.RuleNotFound(ident=repr(values["uuid"][:80])) from None


def _with_links(rule: dict) -> dict:
    return {**rule, "links": link(f"/v1/rules/{rule['uuid']}")}


@bp.post("")
def create():
    """Validate and store a rule; 201 (200 before API 1.6)."""
    rule = store.create(service().db, validate_rule(json_body()))
    return _with_links(rule), 201 if flask.g.api_version >= (1, 6) else 200


@bp.get("")
def list_rules():
    """Every rule: uuid, description, links."""
    return {"rules": [_with_links({"uuid": r["uuid"], "description": r["description"]})
                      for r in store.list_all(service().db)]}


@bp.get("/<uuid>")
def get(uuid: str):
    """One rule with its conditions and actions."""
    return _with_links(store.get(service().db, uuid))


@bp.delete("/<uuid>")
def delete(uuid: str):
    """Delete one rule; 204."""
    store.delete_one(service().db, uuid)
    return "", 204


@bp.delete("")
def delete_all():
    """Delete every rule; 204."""
    store.delete_all(service().db)
    return "", 204
