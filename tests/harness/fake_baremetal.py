"""A fake openstacksdk baremetal proxy for the introspection scheduler's unit tests:
nodes whose inspections end after a number of listings with scripted outcomes.
"""

import types

import openstack.exceptions


class FakeBaremetal:
    """Nodes whose inspections end after ``ticks`` listings with the given outcomes."""

    def __init__(self, outcomes, start_state="manageable", ticks=2):
        # outcomes: name -> list of results per attempt: "ok", "fail" or "hang"
        self.outcomes = outcomes
        self.ticks = ticks
        self.nodes_ = {name: types.SimpleNamespace(
            id=f"id-{name}", name=name, provision_state=start_state, is_maintenance=False,
            last_error=None, properties={}, reservation=None) for name in outcomes}
        self.actions = []
        self.running = {}  # name -> (ticks left, outcome)
        self.max_running = 0

    def _get(self, ident):
        return next(n for n in self.nodes_.values() if ident in (n.id, n.name))

    def get_node(self, ident):
        return self._get(ident)

    def nodes(self, details=False):
        for name, (left, outcome) in list(self.running.items()):
            node = self.nodes_[name]
            if outcome == "hang":
                continue
            if left > 0:
                self.running[name] = (left - 1, outcome)
                continue
            del self.running[name]
            node.provision_state = "manageable" if outcome == "ok" else "inspect failed"
            node.last_error = None if outcome == "ok" else "ramdisk said no"
            node.properties = {"cpus": 2} if outcome == "ok" else {}
        return list(self.nodes_.values())

    def set_node_provision_state(self, ident, target):
        node = self._get(ident)
        self.actions.append((node.name, target))
        if target == "manage":
            node.provision_state = "manageable"
        elif target == "inspect":
            if node.name.startswith("locked"):
                raise openstack.exceptions.ConflictException("node is locked")
            node.provision_state = "inspect wait"
            outcome = self.outcomes[node.name].pop(0)
            self.running[node.name] = (self.ticks, outcome)
            self.max_running = max(self.max_running, len(self.running))
        elif target == "abort":
            del self.running[node.name]
            node.provision_state = "inspect failed"
