"""An operator's abort of a client-started introspection holds through Ironic's flow.

A node whose inspect interface is ``discoverd``: ``POST /v1/introspection/<node>``
puts it into Ironic's inspect flow, whose interface later calls back (join). An
abort in between must not be undone by that callback: Ironic ends the inspection
in ``inspect failed`` with the reason, and discoverd's record stays aborted.
"""

import time

import requests

from tests.harness.discoverd_stack import baremetal, enroll, stack  # noqa: F401 - fixtures
from tests.harness.waiting import wait_for

ENDED = ("inspect failed", "manageable")


def _final(baremetal, discoverd_url: str, node: str):  # noqa: F811
    """Wait for Ironic to end the inspection; fail at once if discoverd restarted it."""
    def ended():
        status = requests.get(f"{discoverd_url}/v1/introspection/{node}", timeout=5).json()
        assert status["state"] in ("error", "aborting"), f"abort undone: {status}"
        n = baremetal.get_node(node)
        return n if n.provision_state in ENDED else None
    return wait_for(ended, 60, 0.2, what=f"node {node} to leave inspection")


def test_abort_right_after_start_is_not_undone(stack, baremetal):  # noqa: F811
    """Four trials, each node aborted right after (or 0.2 s after) its start; the
    trials' waits for Ironic's flow and the quiet period after it overlap."""
    ironic, server = stack
    nodes = []
    for trial, delay in enumerate((0, 0, 0, 0.2)):
        node = enroll(baremetal, 30 + trial)
        r = requests.post(f"{server.url}/v1/introspection/{node.id}", timeout=30)
        assert r.status_code == 202, r.text
        time.sleep(delay)
        r = requests.post(f"{server.url}/v1/introspection/{node.id}/abort", timeout=30)
        assert r.status_code == 202, r.text
        nodes.append(node)
    for trial, node in enumerate(nodes):
        done = _final(baremetal, server.url, node.id)
        assert done.provision_state == "inspect failed", (trial, done.last_error)
        # Ironic may save the state and the error in two steps: read it settled.
        done = wait_for(lambda uuid=node.id: (n := baremetal.get_node(uuid)).last_error
                        and n, 10, 0.2, what="last_error")
        assert "Canceled by operator" in done.last_error, done.last_error
    time.sleep(1.5)  # a late join or status check would show up by now
    for trial, node in enumerate(nodes):
        status = requests.get(f"{server.url}/v1/introspection/{node.id}", timeout=5).json()
        assert status["state"] == "error", (trial, status)
        assert status["error"] == "Canceled by operator"
        assert baremetal.get_node(node.id).provision_state == "inspect failed"
