"""Benchmark: the CPU Ironic itself spends on each kind of request an inspector sends
while it processes a payload, on the lab's production-shaped Ironic.

``bench/introspection.py --ironic production`` measures whole payloads; this one
takes them apart. It starts the same Ironic (PostgreSQL, the API in two processes,
two conductors on JSON-RPC, fake hardware), enrolls ``--nodes`` nodes with two
ports each, then sends ``--requests`` requests of each kind, ``--concurrency`` at a
time, and prints for each kind the CPU milliseconds per request of the API
processes, the conductors and PostgreSQL, and the mean latency:

- ``GET /v1/nodes/<uuid>`` (the node a payload is matched to);
- ``GET /v1/ports?node_uuid=<uuid>&fields=uuid,address,pxe_enabled`` (its ports);
- ``PATCH /v1/nodes/<uuid>`` with the properties an introspection writes (``cpus``,
  ``memory_mb``, ``local_gb``, ``cpu_arch``, ``capabilities``): the one write every
  payload needs, whoever processes it.

The last line is the bound this puts on the payload rate of any inspector on this
machine: a payload costs at least one PATCH, so ``cores / (PATCH cost + the
inspector's own CPU)`` payloads per second, whatever it reads or how it is written.

    .venv/bin/python bench/ironic_request_cost.py [--nodes 200] [--requests 200]
        [--concurrency 4] [--inspector-ms 39]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from introspection import Production, cpu_seconds, enroll, load_average  # noqa: E402

from baremetal_common.cloud import connect  # noqa: E402

HEADERS = {"X-OpenStack-Ironic-API-Version": "1.80"}


def requests_of(url: str, uuid: str) -> dict[str, tuple[str, str, dict]]:
    """The three kinds of request, for one node: (method, url, keyword arguments)."""
    patch = [{"op": "add", "path": f"/properties/{k}", "value": v} for k, v in (
        ("cpus", 4), ("memory_mb", 8192), ("local_gb", 39), ("cpu_arch", "x86_64"),
        ("capabilities", "boot_mode:bios"))]
    return {
        "GET node": ("GET", f"{url}/v1/nodes/{uuid}", {}),
        "GET ports of node": ("GET", f"{url}/v1/ports", {"params": {
            "node_uuid": uuid, "fields": "uuid,address,pxe_enabled"}}),
        "PATCH node properties": ("PATCH", f"{url}/v1/nodes/{uuid}", {"json": patch}),
    }


def measure(kind: str, url: str, uuids: list[str], count: int, concurrency: int,
            pids: dict[str, int]) -> dict[str, float]:
    """Send ``count`` requests of ``kind`` over ``uuids``; CPU ms per request, latency."""
    session = requests.Session()
    session.headers.update(HEADERS)

    def one(i: int) -> float:
        method, target, kwargs = requests_of(url, uuids[i % len(uuids)])[kind]
        t0 = time.perf_counter()
        reply = session.request(method, target, timeout=60, **kwargs)
        reply.raise_for_status()
        return time.perf_counter() - t0

    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        latencies = list(pool.map(one, range(count)))
    after = {name: cpu_seconds(pid) for name, pid in pids.items()}
    used = {name: (after[name] - before[name]) * 1000 / count for name in pids}
    return {"api": sum(v for k, v in used.items() if "api" in k),
            "conductors": sum(v for k, v in used.items() if "conductor" in k),
            "postgresql": used.get("postgresql", 0.0),
            "latency": statistics.mean(latencies) * 1000}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=200, help="nodes enrolled")
    parser.add_argument("--requests", type=int, default=200, help="requests of each kind")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight")
    parser.add_argument("--inspector-ms", type=float, default=39.0,
                        help="the inspector's own CPU per payload, for the bound "
                             "(discoverd's from bench/introspection.py)")
    args = parser.parse_args(argv)
    print(f"before: {load_average()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-ironic-cost-") as tmp:
        shape = Production(Path(tmp))
        try:
            shape.start()
            bm = connect(shape.url).baremetal
            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                uuids = [uuid for uuid, _, _ in enroll(bm, 1, args.nodes, pool)]
            pids = shape.pids()
            figures = {kind: measure(kind, shape.url, uuids, args.requests,
                                     args.concurrency, pids)
                       for kind in requests_of(shape.url, uuids[0])}
        finally:
            shape.stop()
    print(f"after: {load_average()}")
    print(f"\n{args.requests} requests of each kind, {args.concurrency} in flight, "
          f"{args.nodes} nodes; CPU ms per request:")
    print(f"  {'request':<24}{'API':>8}{'conductors':>12}{'PostgreSQL':>12}"
          f"{'total':>8}{'latency':>10}")
    for kind, f in figures.items():
        total = f["api"] + f["conductors"] + f["postgresql"]
        print(f"  {kind:<24}{f['api']:8.1f}{f['conductors']:12.1f}{f['postgresql']:12.1f}"
              f"{total:8.1f}{f['latency']:8.1f}ms")
    patch = figures["PATCH node properties"]
    floor = patch["api"] + patch["conductors"] + patch["postgresql"] + args.inspector_ms
    cores = os.cpu_count() or 1
    print(f"  a payload costs at least one PATCH: {floor:.0f} ms of CPU with the "
          f"inspector's {args.inspector_ms:.0f} ms, so at most {cores * 1000 / floor:.1f} "
          f"payloads/s on {cores} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
