"""Ironic's inspection of every node of a running lab, through its baremetal proxy."""

from __future__ import annotations

from typing import Any

from tests.harness.waiting import wait_for


def inspect_all(lab: dict, bm: Any, timeout: float = 120) -> list:
    """Ask Ironic to inspect every lab node; return the nodes once none is inspecting.

    On a timeout each node's console tail is printed before the error is raised.
    """
    for node in lab["nodes"]:  # through ``bm``: a lab behind Keystone needs its token
        bm.set_node_provision_state(node["name"], "inspect")

    def finished():
        nodes = [bm.get_node(n["name"]) for n in lab["nodes"]]
        done = {n.provision_state for n in nodes} <= {"manageable", "inspect failed"}
        return nodes if done else None

    try:
        return wait_for(finished, timeout, 0.5, what="the end of the inspections")
    except TimeoutError:
        for n in lab["nodes"]:
            print(n["name"], open(f"{n['node_dir']}/console.log").read()[-3000:])
        raise
