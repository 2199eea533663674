"""Validating rules and running them against a node after the hooks."""

import logging
import uuid as uuidlib
from typing import Any

from baremetal_common.node_log import node_log
from discoverd import exception
from discoverd.node_info import NodeInfo
from discoverd.rules import actions, conditions

LOG = logging.getLogger(__name__)

RULE_KEYS = {"uuid", "description", "conditions", "actions", "scope"}


def validate_rule(body: Any) -> dict[str, Any]:
    """Return the normalized rule ``{uuid, description, conditions, actions}``.

    :raises InvalidInput: naming the bad condition or action and what is allowed.
    """
    if not isinstance(body, dict):
        raise exception.InvalidInput(reason="a rule must be a JSON object")
    unknown = set(body) - RULE_KEYS
    if unknown:
        raise exception.InvalidInput(reason=f"unknown rule keys {sorted(unknown)}; "
                                            f"allowed: {sorted(RULE_KEYS)}")
    uuid = body.get("uuid") or str(uuidlib.uuid4())
    try:
        uuid = str(uuidlib.UUID(str(uuid)))
    except ValueError:
        raise exception.InvalidInput(reason=f"rule uuid {uuid!r} is not a UUID") from None
    description = body.get("description")
    if description is not None and not isinstance(description, str):
        raise exception.InvalidInput(reason="description must be a string")
    conds = body.get("conditions") or []
    acts = body.get("actions")
    if not isinstance(conds, list):
        raise exception.InvalidInput(reason="conditions must be a list")
    if not isinstance(acts, list) or not acts:
        raise exception.InvalidInput(reason="a rule needs a non-empty list of actions")
    for index, cond in enumerate(conds):
        try:
            conditions.validate(cond)
        except ValueError as exc:
            raise exception.InvalidInput(reason=f"conditions[{index}]: {exc}") from None
    for index, action in enumerate(acts):
        try:
            actions.validate(action)
        except ValueError as exc:
            raise exception.InvalidInput(reason=f"actions[{index}]: {exc}") from None
    return {"uuid": uuid, "description": description, "conditions": conds, "actions": acts}


def apply_rules(rules: list[dict[str, Any]], node_info: NodeInfo, data: dict[str, Any]
                ) -> list[str]:
    """Run every rule whose conditions all hold; return the UUIDs of those applied.

    :raises RuleFailed: when a rule's ``fail`` action runs or a condition cannot be
        evaluated in time.
    """
    applied = []
    for rule in rules:
        view = node_info.view()
        try:
            if not all(conditions.check(c, view, data) for c in rule["conditions"]):
                continue
        except exception.ConditionError as exc:
            raise exception.RuleFailed(node=node_info.uuid, rule=rule["uuid"],
                                       reason=str(exc)) from None
        node_log(LOG, node_info.uuid).info("applying rule %s", rule["uuid"])
        for action in rule["actions"]:
            try:
                actions.apply(action, node_info)
            except (exception.RuleFailure, ValueError) as exc:
                raise exception.RuleFailed(node=node_info.uuid, rule=rule["uuid"],
                                           reason=str(exc)) from None
        applied.append(rule["uuid"])
    return applied
