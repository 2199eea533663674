"""``ironic-tripleo quintupleo``: Nova servers as a virtual TripleO environment.

``build-nodes`` creates the servers (left powered off) and writes instackenv.json
(TripleO's format, with ``ports``) for ``ironic-tripleo enroll``; with ``--bmc-address``
the nodes are described by virtual BMC addresses (pm_type ipmi) and the virtual
BMC's config (backend ``nova``) is written too, for ``ironic-tripleo bmc serve``.
``delete-nodes`` removes the servers that ``build-nodes`` made with a prefix.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from ironic_tripleo.quintupleo import build_nodes
from ironic_tripleo.quintupleo.clouds import CloudRegistry, CloudSettings, CloudSpec
from ironic_tripleo.quintupleo.exception import QuintupleOError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``quintupleo`` sub-command and its own sub-commands."""
    parser = subparsers.add_parser("quintupleo",
                                   help="Nova servers as bare-metal nodes (QuintupleO)")
    actions = parser.add_subparsers(dest="quintupleo_command", required=True)
    build = actions.add_parser("build-nodes", help="create servers, write instackenv.json")
    _common(build)
    build.add_argument("--count", type=int, required=True, help="number of nodes")
    build.add_argument("--flavor", required=True, help="flavor name or ID")
    build.add_argument("--image", required=True,
                       help="image name or ID the servers are created from (their disk)")
    build.add_argument("--network", help="network name or ID for the provisioning NIC "
                                         "(its MAC becomes the node's port); none if unset")
    build.add_argument("--arch", default="x86_64", help="cpu_arch written for the nodes")
    build.add_argument("--output", type=Path, default=Path("instackenv.json"),
                       help="instackenv.json to write (default ./instackenv.json)")
    build.add_argument("--boot-method", choices=["metadata", "rescue"], default="metadata",
                       help="boot device method written to the virtual BMC config")
    build.add_argument("--rescue-image", help="iPXE image for --boot-method rescue")
    build.add_argument("--bmc-address", help="describe nodes by virtual BMC addresses on "
                                             "this IP (pm_type ipmi) instead of "
                                             "pm_type tripleo-nova")
    build.add_argument("--bmc-base-port", type=int, default=6230,
                       help="UDP port of the first node's virtual BMC; +1 per node")
    build.add_argument("--bmc-username", default="admin")
    build.add_argument("--bmc-password", default="password")
    build.add_argument("--bmc-config", type=Path, default=Path("vbmc.yaml"),
                       help="virtual BMC config to write with --bmc-address")
    build.add_argument("--timeout", type=float, default=300.0,
                       help="seconds to wait for each server to become ACTIVE, then off")
    build.add_argument("--batch", type=int, default=4,
                       help="servers created at once; each batch is waited ACTIVE "
                            "before the next (spares a small cloud's scheduler)")
    build.set_defaults(func=build_command)
    delete = actions.add_parser("delete-nodes", help="delete the servers build-nodes made")
    _common(delete)
    delete.add_argument("--timeout", type=float, default=120.0)
    delete.set_defaults(func=delete_command)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cloud", required=True, help="clouds.yaml entry of the cloud")
    parser.add_argument("--clouds-file", help="clouds.yaml to read (default: "
                                              "openstacksdk's usual places)")
    parser.add_argument("--prefix", default="quintupleo",
                        help="server names are PREFIX-0, PREFIX-1...")
    parser.add_argument("--api-timeout", type=float, default=30.0,
                        help="seconds per API request")


def _cloud(args: argparse.Namespace):
    settings = CloudSettings(api_timeout=args.api_timeout, clouds_file=args.clouds_file)
    return CloudRegistry(settings).get(CloudSpec(name=args.cloud))


def build_command(args: argparse.Namespace) -> int:
    """Build the nodes; 2 on a bad name (nothing created), 1 on a cloud failure."""
    request = build_nodes.BuildRequest(
        count=args.count, flavor=args.flavor, image=args.image, network=args.network,
        prefix=args.prefix, arch=args.arch, boot_method=args.boot_method,
        rescue_image=args.rescue_image, bmc_address=args.bmc_address,
        bmc_base_port=args.bmc_base_port, bmc_username=args.bmc_username,
        bmc_password=args.bmc_password, create_timeout=args.timeout, batch=args.batch)
    cloud = _cloud(args)
    try:
        build_nodes.resolve(cloud, request)
    except QuintupleOError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        instackenv, bmc = build_nodes.build(cloud, request)
    except QuintupleOError as exc:
        print(f"error: {exc} (remove what was made with: ironic-tripleo quintupleo "
              f"delete-nodes --cloud {args.cloud} --prefix {args.prefix})", file=sys.stderr)
        return 1
    args.output.write_text(json.dumps(instackenv, indent=2) + "\n")
    print(f"{len(instackenv['nodes'])} node(s) written to {args.output}")
    if bmc is not None:
        args.bmc_config.write_text(yaml.safe_dump(bmc, sort_keys=False))
        print(f"virtual BMC config written to {args.bmc_config} "
              f"(serve it with: ironic-tripleo bmc serve --config {args.bmc_config})")
    return 0


def delete_command(args: argparse.Namespace) -> int:
    """Delete the prefix's servers; 1 on a cloud failure."""
    try:
        names = build_nodes.delete(_cloud(args), args.prefix, args.timeout)
    except QuintupleOError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"deleted {len(names)} server(s): {', '.join(names) or '-'}")
    return 0
