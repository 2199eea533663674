"""Role matching in the SpinalStack ahc-match tradition.

Public API (plain functions over data; files and Ironic only at the edges)::

    rules = load_rules("/etc/ahc/rules")          # state + <role>.specs + <role>.cmdb
    facts = NodeFacts(plugin_data["data"])         # [[class, name, key, value], ...]
    role, variables = match_node(rules, facts, remaining_places(rules, held_counts))
    result = assign(nodes, rules, held_counts)     # pure; result.changed_cmdbs to save
    reasons = explain(facts, rules, remaining)     # why each role took it or not

Persist cmdb changes with ``save_cmdb`` inside ``rules_lock(rules.path)``.
"""

from ahc_rules.assign import Assignment, MatchResult, assign, match_node, remaining_places
from ahc_rules.cmdb import Cmdb, cmdb_path, rules_lock, save_cmdb
from ahc_rules.exception import AhcError
from ahc_rules.explain import RoleReason, explain
from ahc_rules.facts import Node, load_nodes, node_from_payload
from ahc_rules.matcher import NodeFacts, match
from ahc_rules.rules_dir import Role, RuleSet, load_rules

__all__ = [
    "AhcError", "Assignment", "Cmdb", "MatchResult", "Node", "NodeFacts", "Role", "RoleReason",
    "RuleSet", "assign", "cmdb_path", "explain", "load_nodes", "load_rules", "match",
    "match_node", "node_from_payload", "remaining_places", "rules_lock", "save_cmdb",
]
