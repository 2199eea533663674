"""Rules in discoverd's database."""

from typing import Any

from sqlalchemy import delete, select

from discoverd import exception
from discoverd.db.api import Database
from discoverd.db.models import Rule, utcnow


def _as_dict(rule: Rule) -> dict[str, Any]:
    return {"uuid": rule.uuid, "description": rule.description,
            "conditions": rule.conditions, "actions": rule.actions}


def create(db: Database, rule: dict[str, Any]) -> dict[str, Any]:
    """Store a validated rule.

    :raises Conflict: when a rule with this UUID exists.
    """
    with db.session() as session:
        if session.get(Rule, rule["uuid"]) is not None:
            raise exception.Conflict(reason=f"Rule {rule['uuid']} already exists")
        session.add(Rule(created_at=utcnow(), **rule))
    return rule


def list_all(db: Database) -> list[dict[str, Any]]:
    """Every rule, oldest first (the order they run in)."""
    with db.session() as session:
        rules = session.scalars(select(Rule).order_by(Rule.created_at, Rule.uuid))
        return [_as_dict(r) for r in rules]


def get(db: Database, uuid: str) -> dict[str, Any]:
    """Return one rule.

    :raises RuleNotFound: when there is none with this UUID.
    """
    with db.session() as session:
        rule = session.get(Rule, uuid)
        if rule is None:
            raise exception.RuleNotFound(ident=uuid)
        return _as_dict(rule)


def delete_one(db: Database, uuid: str) -> None:
    """Delete one rule.

    :raises RuleNotFound: when there is none with this UUID.
    """
    with db.session() as session:
        if session.execute(delete(Rule).where(Rule.uuid == uuid)).rowcount == 0:
            raise exception.RuleNotFound(ident=uuid)


def delete_all(db: Database) -> None:
    """Delete every rule."""
    with db.session() as session:
        session.execute(delete(Rule))
