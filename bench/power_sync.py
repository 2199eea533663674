"""Power-state sync of many BMCs: our session pool vs one ipmitool process per call.

Starts N virtual BMCs (memory backends, powered on) in a child process
(``bmc_recorder``), then reads the power state of every node, with the same number
of threads for both clients (Ironic's ``[conductor] sync_power_state_workers``
default, 8), each thread asking for one node at a time as Ironic's sync does:

(a) through ``SessionPool`` (one long-lived pyghmi session per BMC);
(b) the way Ironic's ``ipmitool`` power interface does it: one ``ipmitool -I lanplus
    ... power status`` process per node and call, password in a file (``-f``).

Modes:

- ``realistic`` (default): two syncs ``--interval`` seconds apart (default: Ironic's
  ``[conductor] sync_power_state_interval`` default, read from the installed Ironic),
  the pool with the conductor's keepalive settings, then the same for ipmitool.
  The ratio compares the second syncs: the steady state of a running conductor.
- ``warm``: a cold round, then back-to-back warm rounds (sessions never idle).

The BMCs record every in-session request per BMC, so the benchmark prints the
smallest gap between two requests to one BMC during the pool's phase (keepalives
included), measured at the BMCs, against the pool's ``min_command_interval``; and
how many logins each phase cost. Prints figures; it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(HERE, "lib"))

from bmc_recorder import PASSWORD, USER, RecordingBmcs  # noqa: E402

from ironic_tripleo.exception import IPMIError  # noqa: E402
from ironic_tripleo.ipmi.driver_info import BMC  # noqa: E402
from ironic_tripleo.ipmi.session_pool import SessionPool  # noqa: E402


def ironic_default_interval() -> int:
    """``[conductor] sync_power_state_interval``'s default in the installed Ironic."""
    from ironic.conf import conductor

    return next(o.default for o in conductor.opts if o.name == "sync_power_state_interval")


def one_sync(read: Callable[[int], bool], ports: list[int],
             workers: int) -> tuple[float, int]:
    """Read every node once from ``workers`` threads; return (seconds, errors)."""
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(workers) as threads:
        ok = list(threads.map(read, ports))
    return time.perf_counter() - start, ok.count(False)


def ipmitool_reader(password_file: str) -> Callable[[int], bool]:
    def read(port: int) -> bool:
        out = subprocess.run(
            ["ipmitool", "-I", "lanplus", "-H", "127.0.0.1", "-p", str(port), "-U", USER,
             "-f", password_file, "-R", "1", "-N", "1", "power", "status"],
            capture_output=True, text=True, timeout=30, check=False)
        return out.returncode == 0 and "is on" in out.stdout
    return read


def pool_reader(pool: SessionPool) -> Callable[[int], bool]:
    def read(port: int) -> bool:
        try:
            return pool.get_power(BMC("127.0.0.1", port, USER, PASSWORD)) == "on"
        except IPMIError:
            return False
    return read


def two_syncs(read: Callable[[int], bool], bmcs: RecordingBmcs, workers: int,
              interval: float) -> tuple[list[tuple[float, int]], int]:
    """Two syncs ``interval`` apart (start to start); return them and sync 2's logins."""
    start = time.monotonic()
    first = one_sync(read, bmcs.ports, workers)
    time.sleep(max(0.0, start + interval - time.monotonic()))
    logins_before = bmcs.stats()["logins"]
    second = one_sync(read, bmcs.ports, workers)
    return [first, second], bmcs.stats()["logins"] - logins_before


def rate(n: int, sync: tuple[float, int]) -> str:
    seconds, errors = sync
    return f"{seconds:8.2f} s {n / seconds:9.1f} nodes/s  errors: {errors}"


def realistic(args: argparse.Namespace, bmcs: RecordingBmcs, pool: SessionPool,
              password_file: str) -> None:
    n = len(bmcs.ports)
    interval = args.interval if args.interval is not None else ironic_default_interval()
    print(f"mode realistic: two syncs {interval:.0f} s apart (Ironic's default "
          f"[conductor]sync_power_state_interval: {ironic_default_interval()} s); pool "
          f"keepalive_interval {pool.keepalive_interval:g} s, session_max_idle "
          f"{pool.session_max_idle:g} s, min_command_interval "
          f"{pool.min_command_interval:g} s; BMC session timeout 60 s")
    bmcs.mark("pool")
    ours, our_logins = two_syncs(pool_reader(pool), bmcs, args.workers, interval)
    at_bmcs = bmcs.stats()
    pool.close()
    time.sleep(max(args.min_interval, 0.5))
    bmcs.mark("ipmitool")
    theirs, their_logins = two_syncs(ipmitool_reader(password_file), bmcs, args.workers,
                                     interval)
    for name, syncs, logins in (("pool", ours, our_logins),
                                ("ipmitool, one process per call", theirs, their_logins)):
        print(f"  {name}")
        print(f"    sync 1 {rate(n, syncs[0])}")
        print(f"    sync 2 {rate(n, syncs[1])}   logins during sync 2: {logins}")
    print(f"  ratio sync 2, ipmitool time / pool time: {theirs[1][0] / ours[1][0]:8.1f}x"
          "   (target >= 20x)")
    print(f"  ratio sync 1 (pool logging in):          {theirs[0][0] / ours[0][0]:8.1f}x")
    report_gap(at_bmcs, args.min_interval)


def warm(args: argparse.Namespace, bmcs: RecordingBmcs, pool: SessionPool,
         password_file: str) -> None:
    n = len(bmcs.ports)
    print(f"mode warm: one cold round, then {args.warm_rounds} back-to-back warm rounds")
    bmcs.mark("pool")
    read = pool_reader(pool)
    cold = one_sync(read, bmcs.ports, args.workers)
    rounds = [one_sync(read, bmcs.ports, args.workers) for _ in range(args.warm_rounds)]
    at_bmcs = bmcs.stats()
    pool.close()
    time.sleep(max(args.min_interval, 0.5))
    bmcs.mark("ipmitool")
    tool = one_sync(ipmitool_reader(password_file), bmcs.ports, args.workers)
    best = min(rounds)
    print(f"  pool cold (logins included)     {rate(n, cold)}")
    print(f"  pool warm (best of {len(rounds)})          {rate(n, best)}")
    print(f"  ipmitool, one process per call  {rate(n, tool)}")
    print(f"  ratio warm pool / ipmitool: {tool[0] / best[0]:8.1f}x")
    print(f"  ratio cold pool / ipmitool: {tool[0] / cold[0]:8.1f}x")
    report_gap(at_bmcs, args.min_interval)


def report_gap(at_bmcs: dict, min_interval: float) -> None:
    print(f"  at the BMCs, pool phase: {at_bmcs['requests']} in-session requests to "
          f"{at_bmcs['bmcs_with_requests']} BMCs (keepalives included), "
          f"{at_bmcs['power_reads']} power reads, {at_bmcs['logins']} logins")
    gap, login_gap = at_bmcs["min_gap"], at_bmcs["min_login_gap"]
    if gap is not None:
        verdict = "respected" if gap >= min_interval else "NOT RESPECTED"
        print(f"  smallest gap between two requests to one BMC: {gap * 1000:.1f} ms; "
              f"min_command_interval {min_interval * 1000:.0f} ms: {verdict}")
    if login_gap is not None:
        print(f"  smallest gap from a login's Set Session Privilege (pyghmi's, inside "
              f"the login) to the next request: {login_gap * 1000:.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("realistic", "warm"), default="realistic")
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=8,
                        help="threads for both clients (Ironic's sync_power_state_workers)")
    parser.add_argument("--interval", type=float,
                        help="realistic mode: seconds between the two syncs (default: "
                             "Ironic's default sync_power_state_interval)")
    parser.add_argument("--keepalive", type=float, default=20.0,
                        help="the pool's keepalive_interval ([tripleo_ipmi] default 20)")
    parser.add_argument("--warm-rounds", type=int, default=3)
    parser.add_argument("--min-interval", type=float, default=0.1,
                        help="per-BMC minimum seconds between requests for our pool")
    args = parser.parse_args()

    with RecordingBmcs(args.nodes) as bmcs, \
            tempfile.NamedTemporaryFile("w", suffix=".pw") as pw:
        pw.write(PASSWORD)
        pw.flush()
        print(f"{len(bmcs.ports)} virtual BMCs in one child process (pid {bmcs.pid}); "
              f"{args.workers} threads per client")
        pool = SessionPool(min_command_interval=args.min_interval, command_timeout=10.0,
                           session_max_idle=25.0, keepalive_interval=args.keepalive,
                           max_kept_alive=max(1000, args.nodes), unused_logout=600.0)
        try:
            (realistic if args.mode == "realistic" else warm)(args, bmcs, pool, pw.name)
        finally:
            pool.close()
    return 0


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    sys.exit(main())
