"""``ironic-tripleo demo --undercloud``: the overcloud deployed by a real undercloud.

Undercloud up (Keystone, Placement, Glance, Neutron, Nova, Heat; see
``ironic_tripleo.lab.undercloud``), lab up (4 namespace nodes as in ``demo``, its
Ironic and discoverd behind the undercloud's Keystone and in its catalog, Ironic
reading images from the undercloud's Glance), enroll, introspect, ahc-match
(1 control, 1 ceph-storage, 2 compute: resource classes, traits, flavors and
``overcloud-roles.yaml``), provide, a nova-compute with Nova's Ironic driver over the
lab, the emitted ``flavors.sh``, the demo image into Glance, then ``openstack stack
create -t overcloud.yaml -e overcloud-roles.yaml``: Nova schedules each role's
servers on that role's nodes and Ironic deploys them with the ``iscsi`` deploy
interface. Prints the table of role, server, node and state, checks the image's
marker on every node's disk, the time of each step, and takes everything down:
also on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import time
import uuid
from pathlib import Path

from ironic_tripleo.cli import demo
from ironic_tripleo.lab import keystone_auth, overcloud
from ironic_tripleo.lab.exception import DemoError
from ironic_tripleo.lab.lab import Lab
from ironic_tripleo.lab.undercloud import keystone, nova
from ironic_tripleo.lab.undercloud.undercloud import CLOUD, Undercloud

LOG = logging.getLogger(__name__)
STACK = "overcloud"
EXPECTED = {"control": 1, "ceph-storage": 1, "compute": 2}


def run(workdir: Path, lab: Lab, undercloud: Undercloud, subnet: str) -> float:
    """Every step; both are brought up here and left up (the caller takes them down).

    :returns: seconds from ``stack create`` to CREATE_COMPLETE.
    """
    demo.step(f"undercloud up in {undercloud.root}")
    plan = undercloud.up()
    print(f"    Keystone {plan.auth_url}; clouds.yaml {undercloud.clouds_yaml}")
    demo.step(f"lab up: {len(demo.DEMO_NODES)} namespace nodes; Ironic and discoverd "
              f"behind Keystone, Ironic reads images from the undercloud's Glance "
              f"{plan.url('glance')}")
    state = lab.up(list(demo.DEMO_NODES), subnet=subnet,
                   keystone=undercloud.keystone_for_lab())
    undercloud.attach_lab(state)
    print(f"    Ironic {state['ironic_url']}; discoverd {state['discoverd_url']}; "
          "both in the catalog (baremetal, baremetal-introspection)")
    # ahc-match and the openstack commands below find them there
    os.environ["OS_CLIENT_CONFIG_FILE"] = str(undercloud.clouds_yaml)
    conn = keystone_auth.connection(state)
    demo.enroll_lab(conn, lab, state)
    demo.introspect_all(conn, state)
    demo.match_roles(conn, state, workdir, demo.DEMO_RULES, EXPECTED,
                     source=["--os-cloud", CLOUD])
    emit = workdir / "overcloud"
    demo.step("provide every node (cleaning is off in the lab): available")
    for node in state["nodes"]:
        conn.baremetal.set_node_provision_state(node["name"], "provide")
    conn.baremetal.wait_for_nodes_provision_state([n["name"] for n in state["nodes"]],
                                                  "available", timeout=120)
    demo.step(f"nova-compute {nova.IRONIC_HOST} with Nova's Ironic driver over "
              f"{state['ironic_url']}; wait for the nodes in Placement")
    undercloud.add_compute(nova.IRONIC_HOST, nova.IRONIC_DRIVER,
                           ironic_url=state["ironic_url"])
    cloud = keystone.admin_connection(plan)
    overcloud.wait_placement(cloud, len(state["nodes"]))
    clouds = undercloud.clouds_yaml
    demo.step(f"flavors: sh {emit / 'flavors.sh'} (as emitted, OS_CLOUD=undercloud)")
    overcloud.run_flavors(clouds, emit / "flavors.sh")
    image = Path(state["boot"]["images"]) / "overcloud.raw"
    demo.build_image(image, demo.MARKER)
    demo.step(f"upload {image.name} to Glance")
    image_id = overcloud.upload_image(cloud, image, f"overcloud-{uuid.uuid4().hex[:6]}")
    demo.step(f"openstack stack create --wait -t {overcloud.TEMPLATE} -e "
              f"{emit / 'overcloud-roles.yaml'} --parameter OvercloudImage={image_id} {STACK}")
    started = time.monotonic()
    stack = overcloud.create_stack(clouds, STACK, [emit / "overcloud-roles.yaml"],
                                   {"OvercloudImage": image_id})
    took = time.monotonic() - started
    print(f"    {STACK}: {stack['stack_status']} after {took:.1f} s: "
          f"{stack['stack_status_reason']}")
    placed = overcloud.servers(cloud, conn.baremetal)
    print(overcloud.table(placed))
    if stack["stack_status"] != "CREATE_COMPLETE":
        raise DemoError(f"stack {STACK}: {stack['stack_status_reason']}")
    check(placed, state)
    return took


def check(placed: list[overcloud.Placed], state: dict) -> None:
    """Every node holds its role's server, active, with the image on its disk."""
    disks = {node["name"]: node["disk"] for node in state["nodes"]}
    if sorted(p.node or "-" for p in placed) != sorted(disks):
        raise DemoError(f"servers on {[p.node for p in placed]}, nodes {sorted(disks)}")
    for p in placed:
        if (p.server_status, p.node_state, p.node_profile) != ("ACTIVE", "active", p.role):
            raise DemoError(f"{p.server} ({p.role}) is {p.server_status} on {p.node} "
                            f"({p.node_profile}, {p.node_state})")
        marker = demo.read_marker(disks[p.node])
        if marker != demo.MARKER:
            raise DemoError(f"{p.node}: the disk holds {marker!r}, not the image's marker")
    print(f"    every node active with its role's server; /marker.txt {demo.MARKER!r} on "
          "each node's disk")


def main(args: argparse.Namespace, lab: Lab | None = None,
         undercloud: Undercloud | None = None) -> int:
    """The demo, with both always taken down at the end."""
    if args.node_kind != "namespace":
        raise DemoError("--undercloud runs on namespace nodes only (no --node-kind vm)")
    signal.signal(signal.SIGTERM, demo._interrupt)
    lab = lab or Lab(args.workdir)
    undercloud = undercloud or Undercloud(args.workdir)
    previous = lab.load()
    if previous and previous.get("state") != "down":
        demo.step(f"a previous lab is still in {lab.workdir}: bringing it down first")
        lab.down()
    undercloud.down()

    def take_down() -> None:
        try:  # the lab first: undercloud down would restart it without authentication
            lab.down()
        finally:
            undercloud.down()

    return demo.guarded(
        lambda: run(Path(args.workdir), lab, undercloud, args.subnet), keep=args.keep,
        kept=f"left up: 'ironic-tripleo undercloud down' and 'ironic-tripleo lab down' "
             f"with --workdir {args.workdir} remove them",
        teardown_step="lab down, undercloud down", teardown=take_down)
