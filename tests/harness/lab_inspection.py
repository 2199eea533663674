"""Ironic's inspection of every node of a running lab, through its REST API."""

from __future__ import annotations

from typing import Any

import requests

from tests.harness.waiting import wait_for

API = {"X-OpenStack-Ironic-API-Version": "latest"}


def inspect_all(lab: dict, bm: Any, timeout: float = 120) -> list:
    """Ask Ironic to inspect every lab node; return the nodes once none is inspecting.

    On a timeout each node's console tail is printed before the error is raised.
    """
    for node in lab["nodes"]:
        r = requests.put(f"{lab['ironic_url']}/v1/nodes/{node['name']}/states/provision",
                         headers=API, json={"target": "inspect"}, timeout=30)
        assert r.status_code == 202, r.text

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
