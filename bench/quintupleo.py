"""Power state of N Nova-backed nodes: our shared connection vs a connection per call.

Against an existing cloud (``--cloud`` in ``--clouds-file``) and its servers
(``--prefix``: the servers ``ironic-tripleo quintupleo build-nodes --prefix`` made),
N nodes are spread over those servers (node i reads server i mod S). Each way reads
every node's power state once with the same thread pool (``--workers``, Ironic's
default 8 power-sync workers), in the same run:

- ``shared``: what the ``tripleo-nova`` interface does: one
  :class:`~ironic_tripleo.quintupleo.clouds.CloudRegistry`, so one connection (one
  Keystone token, pooled HTTP connections) for every node;
- ``per-call``: a new openstacksdk connection for every read, from clouds.yaml read
  afresh (a token request, then the server GET whose new token Nova's
  keystonemiddleware validates), as one ``openstackbmc`` process per BMC that starts
  afresh does.

Prints nodes/s of each way and the ratio. Asserts nothing.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import openstack  # noqa: E402
import openstack.config  # noqa: E402

from ironic_tripleo.quintupleo.clouds import (  # noqa: E402
    CloudRegistry,
    CloudSettings,
    CloudSpec,
)
from ironic_tripleo.quintupleo.power_states import Reading  # noqa: E402
from ironic_tripleo.quintupleo.server import NovaServer, ServerSettings  # noqa: E402


def timed(workers: int, jobs: list) -> float:
    """Seconds to run every job on ``workers`` threads; a job that fails raises."""
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()
    return time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cloud", required=True)
    parser.add_argument("--clouds-file", required=True)
    parser.add_argument("--prefix", required=True, help="servers named PREFIX-<i>")
    parser.add_argument("--nodes", type=int, default=50)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args(argv)

    settings = CloudSettings(clouds_file=args.clouds_file, max_concurrent_calls=args.workers)
    cloud = CloudRegistry(settings).get(CloudSpec(name=args.cloud))
    servers = sorted((s for s in cloud.connection().compute.servers()
                      if s.name.startswith(f"{args.prefix}-")), key=lambda s: s.name)
    if not servers:
        print(f"no servers named {args.prefix}-* on {args.cloud}", file=sys.stderr)
        return 2
    ids = [servers[i % len(servers)].id for i in range(args.nodes)]
    nodes = [NovaServer(cloud, server_id, ServerSettings(poll_interval=0.2))
             for server_id in ids]

    def fresh(server_id: str) -> None:
        # A new CloudRegion each time: connections made from one region share its
        # keystoneauth session, so its token (the per-call way measured nothing then).
        region = openstack.config.OpenStackConfig(
            config_files=[args.clouds_file]).get_one(cloud=args.cloud)
        conn = openstack.connection.Connection(config=region)
        try:
            Reading.from_server(conn.compute.get_server(server_id)).power  # noqa: B018
        finally:
            conn.close()

    nodes[0].get_power()  # the shared connection's token, as a running conductor has
    shared = timed(args.workers, [node.get_power for node in nodes])
    per_call = timed(args.workers, [lambda i=i: fresh(i) for i in ids])
    print(f"{args.nodes} nodes over {len(servers)} servers, {args.workers} workers")
    print(f"shared connection   : {shared:6.2f} s  {args.nodes / shared:7.1f} nodes/s")
    print(f"connection per call : {per_call:6.2f} s  {args.nodes / per_call:7.1f} nodes/s")
    print(f"ratio               : {per_call / shared:6.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
