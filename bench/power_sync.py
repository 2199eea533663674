"""Power-state sync of many BMCs: our session pool vs one ipmitool process per call.

Starts N virtual BMCs (memory backends) in a child process, then reads the power
state of every node:

(a) with ``SessionPool`` (one long-lived pyghmi session per BMC): a cold round that
    logs in, then warm rounds that reuse the sessions, the way a conductor's periodic
    power sync runs;
(b) the way Ironic's ``ipmitool`` power interface does it: one ``ipmitool -I lanplus
    ... power status`` process per node and call, password in a file (``-f``).

Both use the same worker count (Ironic's ``[conductor] sync_power_state_workers``
default, 8). The child records when each node's backend was asked for its power
state, so the benchmark also prints the smallest gap seen between two commands to
one BMC, against the configured per-BMC minimum interval.

Prints figures; it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from ironic_tripleo.ipmi.driver_info import BMC  # noqa: E402
from ironic_tripleo.ipmi.session_pool import SessionPool  # noqa: E402

USER, PASSWORD = "admin", "password"


def serve(count: int) -> None:
    """Child process: serve ``count`` recording BMCs; print ports; on stdin EOF print gaps."""
    from ironic_tripleo.vbmc.memory_backend import MemoryBackend
    from ironic_tripleo.vbmc.server import BmcServer

    class Recording(MemoryBackend):
        def __init__(self) -> None:
            super().__init__(power="on")
            self.times: list[float] = []

        def get_power_state(self):  # noqa: ANN201 - the interface's signature
            self.times.append(time.monotonic())
            return super().get_power_state()

    server = BmcServer(workers=16)
    backends = [Recording() for _ in range(count)]
    ports = [server.add_node(f"n{i}", b, USER, PASSWORD) for i, b in enumerate(backends)]
    server.start()
    print(json.dumps(ports), flush=True)
    sys.stdin.read()  # the parent closes stdin when it is done
    gaps = [min((b - a for a, b in zip(t, t[1:], strict=False)), default=None)
            for t in (sorted(be.times) for be in backends)]
    server.stop()
    print(json.dumps({"min_gap": min((g for g in gaps if g is not None), default=None),
                      "calls": sum(len(be.times) for be in backends)}), flush=True)


def ipmitool_round(ports: list[int], workers: int, password_file: str) -> tuple[float, int]:
    """Query every port once with one ipmitool process each; return (seconds, errors)."""
    def one(port: int) -> bool:
        out = subprocess.run(
            ["ipmitool", "-I", "lanplus", "-H", "127.0.0.1", "-p", str(port), "-U", USER,
             "-f", password_file, "-R", "1", "-N", "1", "power", "status"],
            capture_output=True, text=True, timeout=30, check=False)
        return out.returncode == 0 and "is on" in out.stdout

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        ok = list(pool.map(one, ports))
    return time.perf_counter() - start, ok.count(False)


def pool_round(pool: SessionPool, bmcs: list[BMC], workers: int) -> tuple[float, int]:
    """Query every BMC once through the session pool; return (seconds, errors)."""
    start = time.perf_counter()
    result = pool.get_power_many(bmcs)
    elapsed = time.perf_counter() - start
    return elapsed, sum(1 for v in result.values() if v != "on")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=8,
                        help="threads for both clients (Ironic's sync_power_state_workers)")
    parser.add_argument("--warm-rounds", type=int, default=3)
    parser.add_argument("--min-interval", type=float, default=0.1,
                        help="per-BMC minimum seconds between commands for our pool")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0

    child = subprocess.Popen([sys.executable, __file__, "--serve", str(args.nodes)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        ports = json.loads(child.stdout.readline())
        bmcs = [BMC("127.0.0.1", p, USER, PASSWORD) for p in ports]
        print(f"{len(ports)} virtual BMCs in one child process; {args.workers} workers")

        pool = SessionPool(min_command_interval=args.min_interval,
                           command_timeout=10.0)
        cold, cold_err = pool_round(pool, bmcs, args.workers)
        warm = []
        for _ in range(args.warm_rounds):
            seconds, errors = pool_round(pool, bmcs, args.workers)
            warm.append((seconds, errors))
        sessions = len(pool)
        pool.close()
        # The BMCs record ipmitool's reads too: keep its first one an interval away
        # from the pool's last, so that the gap measured is the pool's own.
        time.sleep(args.min_interval)

        with tempfile.NamedTemporaryFile("w", suffix=".pw") as pw:
            pw.write(PASSWORD)
            pw.flush()
            tool, tool_err = ipmitool_round(ports, args.workers, pw.name)
    finally:
        child.stdin.close()
        tail = child.stdout.read().strip().splitlines()
        child.wait(timeout=30)
    stats = json.loads(tail[-1]) if tail else {}

    best_warm = min(s for s, _ in warm)
    n = len(bmcs)
    rate = collections.OrderedDict([
        ("pool cold (logins included)", (n / cold, cold_err)),
        (f"pool warm (best of {len(warm)})", (n / best_warm, sum(e for _, e in warm))),
        ("ipmitool, one process per call", (n / tool, tool_err)),
    ])
    for name, (per_s, errors) in rate.items():
        print(f"  {name:34s} {per_s:9.1f} nodes/s   errors: {errors}")
    print(f"  ratio warm pool / ipmitool:        {best_warm and (n / best_warm) / (n / tool):9.1f}x"
          "   (target >= 20x)")
    print(f"  ratio cold pool / ipmitool:        {(n / cold) / (n / tool):9.1f}x")
    print(f"  sessions kept open by the pool:    {sessions}")
    gap = stats.get("min_gap")
    if gap is not None:
        verdict = "respected" if gap >= args.min_interval * 0.95 else "EXCEEDED"
        print(f"  smallest gap between two commands to one BMC (pool rounds; ipmitool made "
              f"one call per BMC): {gap * 1000:.1f} ms, minimum interval "
              f"{args.min_interval * 1000:.0f} ms: {verdict}")
    print(f"  power-state reads seen by the BMCs: {stats.get('calls')}")
    return 0


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    sys.exit(main())
