"""The overcloud on a lab's nodes through the undercloud: image, flavors, stack.

The operator's commands, run for real: ``openstack`` (the client beside this
Python, ``OS_CLOUD=undercloud`` from the undercloud's ``clouds.yaml``) runs the
emitted ``flavors.sh`` and ``openstack stack create -t overcloud.yaml -e
overcloud-roles.yaml``; the image goes into the undercloud's Glance. ``servers``
reads back which server of which role landed on which Ironic node.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ahc_rules.heat import TEMPLATE
from ahc_rules.ironic import node_profile
from ironic_tripleo.lab.exception import OvercloudError
from ironic_tripleo.lab.readiness import wait_until

OPENSTACK = str(Path(sys.executable).parent / "openstack")
CLOUD = "undercloud"
#: the server metadata key the template sets to the server's role
ROLE_KEY = "ironic-tripleo-role"


def client_env(clouds_yaml: Path) -> dict[str, str]:
    """``os.environ`` without ``OS_*``, plus the undercloud's ``clouds.yaml``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    path = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    return dict(env, PATH=path, OS_CLIENT_CONFIG_FILE=str(clouds_yaml), OS_CLOUD=CLOUD,
                PYTHONWARNINGS="ignore")


def openstack(clouds_yaml: Path, *argv: str, timeout: float = 900
              ) -> subprocess.CompletedProcess:
    """Run the ``openstack`` client to the end (no check: the caller reads it)."""
    return subprocess.run([OPENSTACK, *argv], env=client_env(clouds_yaml),
                          capture_output=True, text=True, timeout=timeout, check=False)


def run_flavors(clouds_yaml: Path, script: Path) -> None:
    """Run the ``flavors.sh`` that ``ahc-match --emit`` wrote, unchanged.

    :raises OvercloudError: it failed (its stderr tail).
    """
    run = subprocess.run(["sh", str(script)], env=client_env(clouds_yaml),
                         capture_output=True, text=True, timeout=600, check=False)
    if run.returncode:
        raise OvercloudError(reason=f"{script} exited with {run.returncode}: "
                                    f"{run.stderr[-800:]}")


def create_flavors(conn: Any, flavors_json: Path) -> list[str]:
    """The same flavors as ``flavors.sh``, from the ``flavors.json`` beside it, through
    openstacksdk (one connection instead of a client process per command)."""
    names = []
    for flavor in json.loads(flavors_json.read_text()):
        made = conn.compute.create_flavor(name=flavor["name"], vcpus=flavor["vcpus"],
                                          ram=flavor["ram"], disk=flavor["disk"])
        conn.compute.create_flavor_extra_specs(made, flavor["properties"])
        names.append(made.name)
    return names


def upload_image(conn: Any, path: Path, name: str) -> str:
    """Upload a raw whole-disk image to Glance (public); return its ID."""
    with open(path, "rb") as data:
        image = conn.image.create_image(name=name, data=data, disk_format="raw",
                                        container_format="bare", visibility="public")
    return image.id


def _params(params: dict[str, Any]) -> list[str]:
    return [arg for key, value in params.items() for arg in ("--parameter", f"{key}={value}")]


def create_stack(clouds_yaml: Path, name: str, environments: Iterable[Path],
                 params: dict[str, Any], template: Path = TEMPLATE,
                 timeout_min: int = 15) -> dict[str, Any]:
    """``openstack stack create --wait``; return ``stack show`` whatever the outcome."""
    envs = [arg for env in environments for arg in ("-e", str(env))]
    created = openstack(clouds_yaml, "stack", "create", "--wait", "--timeout",
                        str(timeout_min), "-t", str(template), *envs, *_params(params),
                        name, timeout=timeout_min * 60 + 60)
    return _shown_after(clouds_yaml, name, "create", created)


def _shown_after(clouds_yaml: Path, name: str, verb: str,
                 run: subprocess.CompletedProcess) -> dict[str, Any]:
    try:
        return show_stack(clouds_yaml, name)
    except OvercloudError as exc:
        if not run.returncode:
            raise
        # the command's own words say more than "not found" (a refused template, auth)
        raise OvercloudError(
            reason=f"stack {verb} {name} exited with {run.returncode}: "
                   f"{(run.stderr or run.stdout).strip()[-500:]}; then {exc}"
        ) from None


def update_stack(clouds_yaml: Path, name: str, params: dict[str, Any],
                 timeout_min: int = 15) -> dict[str, Any]:
    """``openstack stack update --existing --wait`` with new parameters; return
    ``stack show`` whatever the outcome.

    :raises OvercloudError: the update was refused and there is no such stack.
    """
    updated = openstack(clouds_yaml, "stack", "update", "--existing", "--wait",
                        "--timeout", str(timeout_min), *_params(params), name,
                        timeout=timeout_min * 60 + 60)
    return _shown_after(clouds_yaml, name, "update", updated)


def show_stack(clouds_yaml: Path, name: str) -> dict[str, Any]:
    """``openstack stack show`` without outputs (status and reason are what callers
    read). Resolving outputs walks every resource of the stack and its nested stacks
    while Heat may still be writing them: one such show of a just-failed stack got a
    404 ("Stack not found") from Heat 27 although the stack was there.

    :raises OvercloudError: no such stack.
    """
    shown = openstack(clouds_yaml, "stack", "show", "--no-resolve-outputs", "-f", "json",
                      name, timeout=120)
    if shown.returncode:
        raise OvercloudError(reason=f"stack {name}: {shown.stderr.strip()[-500:]}")
    return json.loads(shown.stdout)


def delete_stack(clouds_yaml: Path, name: str, timeout: float = 900) -> None:
    """``openstack stack delete --yes --wait``.

    :raises OvercloudError: the delete failed.
    """
    run = openstack(clouds_yaml, "stack", "delete", "--yes", "--wait", name,
                    timeout=timeout)
    if run.returncode:
        raise OvercloudError(reason=f"stack delete {name}: "
                                    f"{(run.stderr or run.stdout).strip()[-500:]}")


def providers_with_inventory(conn: Any) -> int:
    """How many Placement resource providers offer one unit of a ``CUSTOM_BAREMETAL_*``
    class (Nova's Ironic driver reports each available node so)."""
    count = 0
    for provider in conn.placement.resource_providers():
        if any(inv.resource_class.startswith("CUSTOM_BAREMETAL_") and inv.total == 1
               for inv in conn.placement.resource_provider_inventories(provider)):
            count += 1
    return count


def wait_placement(conn: Any, count: int, timeout: float = 300) -> None:
    """Wait until ``count`` nodes are offered in Placement (Nova schedules on that).

    :raises OvercloudError: fewer after ``timeout`` seconds.
    """
    def too_few() -> str | None:
        seen = providers_with_inventory(conn)
        return None if seen >= count else f"{seen} of {count} nodes in Placement"

    reason = wait_until(too_few, timeout, interval=2)
    if reason is not None:
        raise OvercloudError(reason=f"{reason} after {timeout:.0f}s (Nova's Ironic "
                                    "compute reports available nodes)")


@dataclasses.dataclass(frozen=True)
class Placed:
    """One server of the overcloud and the Ironic node under it."""

    role: str
    server: str
    server_status: str
    node: str | None
    node_profile: str | None
    node_state: str | None


def servers(conn: Any, baremetal: Any) -> list[Placed]:
    """Every server the template made (it carries a role), with its node.

    :param conn: an undercloud connection (Nova); ``baremetal``: the lab's Ironic.
    """
    nodes = {n.instance_id: n for n in baremetal.nodes(details=True) if n.instance_id}
    rows = []
    for server in conn.compute.servers(details=True):
        role = (server.metadata or {}).get(ROLE_KEY)
        if role is None:
            continue
        node = nodes.get(server.id)
        rows.append(Placed(role, server.name, server.status, node.name if node else None,
                           node_profile(node) if node else None,
                           node.provision_state if node else None))
    return sorted(rows, key=lambda r: (r.role, r.server))


def table(rows: list[Placed]) -> str:
    """The rows as text: role, server, node, node state (and the node's profile)."""
    lines = [("role", "server", "status", "node", "profile", "node state")]
    lines += [(r.role, r.server, r.server_status, r.node or "-", r.node_profile or "-",
               r.node_state or "-") for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True))
                     .rstrip() for line in lines)
