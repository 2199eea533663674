"""One power-state sync cycle as a real Ironic 39 runs it: tripleo-ipmi vs ipmi.

Starts N virtual BMCs (``bmc_recorder``, one child process, powered on), then for
each hardware type in turn a real standalone Ironic (SQLite, as the lab runs it)
whose N nodes point at those BMCs:

- ``tripleo-ipmi`` (power and management ``pyghmi``: our session pool, with the
  ``[tripleo_ipmi]`` defaults, keepalives included);
- ``ipmi`` (Ironic's ``ipmitool`` interfaces: one ``ipmitool`` process per call).

Nodes are created and moved to ``manageable`` through the API (which reads each
power state once); the first run of Ironic's periodic ``_sync_power_states`` that
starts after that is measured:

- its duration from Ironic's own log line ("Completed power state sync operation
  ... in N seconds", logger ``ironic.conductor.manager`` at DEBUG only, the rest at
  INFO), and from the BMCs (first to last power-state read within the cycle);
- the CPU of Ironic's process group (``/proc/<pid>/stat``: utime + stime, reaped
  children, i.e. the ipmitool processes, included) over the cycle, per node.

Both Ironics use ``[conductor] sync_power_state_interval`` ``--interval`` (default:
Ironic's default) and its default 8 sync workers. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import os
import re
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import tenacity
from keystoneauth1.exceptions import ConnectFailure

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(HERE, "lib"))

from bmc_recorder import PASSWORD, USER, RecordingBmcs  # noqa: E402

from baremetal_common.cloud import connect  # noqa: E402
from ironic_tripleo.lab.ironic_service import IronicConfig, IronicService  # noqa: E402
from ironic_tripleo.lab.readiness import wait_until  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
SYNC_LINE = re.compile(r"Completed power state sync operation, evaluated (\d+) nodes "
                       r"with (\d+) workers in ([\d.]+) seconds")

HARDWARE = {
    "tripleo-ipmi": dict(hardware_types=("tripleo-ipmi",), power_interfaces=("pyghmi",),
                         management_interfaces=("pyghmi",), boot_interfaces=("pxe",),
                         deploy_interfaces=("direct",), inspect_interfaces=("no-inspect",),
                         vendor_interfaces=("no-vendor",)),
    "ipmi": dict(hardware_types=("ipmi",), power_interfaces=("ipmitool",),
                 management_interfaces=("ipmitool",), boot_interfaces=("pxe",),
                 deploy_interfaces=("direct",), inspect_interfaces=("no-inspect",),
                 vendor_interfaces=("no-vendor",)),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def group_cpu(pgid: int) -> float:
    """CPU seconds of every process in group ``pgid``, reaped children included."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields[0] is the state; pgrp is the 5th field
            total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / CLK_TCK


class CpuSampler(threading.Thread):
    """Samples ``group_cpu`` every ``period`` s; ``at(t)`` interpolates."""

    def __init__(self, pgid: int, period: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pgid, self.period = pgid, period
        self.samples: list[tuple[float, float]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.samples.append((time.monotonic(), group_cpu(self.pgid)))
            self.stopping.wait(self.period)

    def at(self, when: float) -> float:
        before = [s for s in self.samples if s[0] <= when]
        after = [s for s in self.samples if s[0] >= when]
        if not before or not after:
            return (before or after)[-1 if before else 0][1]
        (t0, c0), (t1, c1) = before[-1], after[0]
        return c0 if t1 == t0 else c0 + (c1 - c0) * (when - t0) / (t1 - t0)


def enroll(url: str, ports: list[int], hardware: str, threads: int = 8) -> None:
    """Create one node per BMC port and make them all ``manageable``."""
    baremetal = connect(url).baremetal

    @tenacity.retry(retry=tenacity.retry_if_exception_type(ConnectFailure),
                    stop=tenacity.stop_after_attempt(5), wait=tenacity.wait_fixed(1),
                    reraise=True)
    def one(port: int) -> None:
        found = list(baremetal.nodes(name=f"bench-{port}"))
        node = found[0] if found else baremetal.create_node(
            driver=hardware, name=f"bench-{port}",
            driver_info={"ipmi_address": "127.0.0.1", "ipmi_port": port,
                         "ipmi_username": USER, "ipmi_password": PASSWORD})
        if node.provision_state == "enroll":
            baremetal.set_node_provision_state(node, "manage", wait=False)

    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, ports))

    @tenacity.retry(retry=tenacity.retry_if_result(lambda states: states != {"manageable"}),
                    stop=tenacity.stop_after_delay(900), wait=tenacity.wait_fixed(2),
                    retry_error_callback=lambda state: state.outcome.result())
    def states() -> set[str]:
        try:
            return {n.provision_state for n in baremetal.nodes(fields=["provision_state"])}
        except ConnectFailure:
            return {"unknown"}

    final = states()
    if final != {"manageable"}:
        raise RuntimeError(f"nodes did not all become manageable: {final}")


def completed_cycles(log_file: Path) -> list[tuple[float, float, float]]:
    """Ironic's finished sync cycles: (start, end, seconds), times as ``monotonic()``."""
    offset = time.time() - time.monotonic()
    cycles = []
    for line in log_file.read_text(errors="replace").splitlines():
        found = SYNC_LINE.search(line)
        if found:
            end = datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S.%f").timestamp()
            seconds = float(found.group(3))
            cycles.append((end - seconds - offset, end - offset, seconds))
    return cycles


def next_cycle(log_file: Path, after: float, timeout: float,
               interval: float = 1.0) -> tuple[float, float, float]:
    """The first sync cycle that started after ``after`` (monotonic), once it ended
    (the log read every ``interval`` seconds)."""
    found: list[tuple[float, float, float]] = []

    def ended() -> str | None:
        found[:] = [c for c in completed_cycles(log_file) if c[0] >= after][:1]
        return None if found else "no cycle yet"

    if wait_until(ended, timeout, interval) is not None:
        raise RuntimeError(f"no sync cycle started and ended within {timeout:.0f} s")
    return found[0]


def run_one(hardware: str, bmcs: RecordingBmcs, interval: int, workdir: Path) -> dict:
    n = len(bmcs.ports)
    extra = {"DEFAULT": {"default_log_levels": "ironic.conductor.manager=DEBUG,"
                                               "sqlalchemy=WARN,stevedore=WARN"},
             # the per-BMC pool must keep every node's session
             "tripleo_ipmi": {"max_kept_alive_sessions": str(max(1000, n))}}
    service = IronicService(IronicConfig(workdir=workdir, port=free_port(),
                                         sync_power_state_interval=interval, extra=extra,
                                         **HARDWARE[hardware]))
    service.start(timeout=120)
    sampler = CpuSampler(service.pid)
    sampler.start()
    try:
        started = time.monotonic()
        enroll(service.url, bmcs.ports, hardware)
        ready = time.monotonic()
        print(f"  {hardware}: {n} nodes enrolled and manageable in {ready - started:.0f} s;"
              " waiting for the next sync cycle", flush=True)
        begin, end, seconds = next_cycle(workdir / "ironic.log", ready,
                                         timeout=interval * 2 + 60 * max(15, n // 20))
        time.sleep(1.0)
    finally:
        sampler.stopping.set()
        sampler.join()
        service.stop()
    stats = bmcs.window(begin, end)
    cpu = sampler.at(end) - sampler.at(begin)
    return {"hardware": hardware, "ironic_seconds": seconds,
            "bmc_seconds": (stats["last_read"] - stats["first_read"]
                            if stats["first_read"] is not None else float("nan")),
            "reads": stats["power_reads"], "bmcs_read": stats["bmcs_read"],
            "logins": stats["logins"], "cpu_seconds": cpu, "cpu_ms_per_node": cpu * 1000 / n}


def ironic_default_interval() -> int:
    from ironic.conf import conductor

    return next(o.default for o in conductor.opts if o.name == "sync_power_state_interval")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--interval", type=int,
                        help="[conductor] sync_power_state_interval (default: Ironic's)")
    parser.add_argument("--hardware", nargs="+", choices=tuple(HARDWARE),
                        default=list(HARDWARE))
    args = parser.parse_args()
    interval = args.interval or ironic_default_interval()
    print(f"{args.nodes} nodes behind one virtual BMC process; real Ironic 39 "
          f"(all-in-one, SQLite); sync_power_state_interval {interval} s, "
          f"8 sync workers; {os.cpu_count()} CPUs", flush=True)
    results = []
    with RecordingBmcs(args.nodes) as bmcs, tempfile.TemporaryDirectory() as tmp:
        for hardware in args.hardware:
            results.append(run_one(hardware, bmcs, interval, Path(tmp) / hardware))
    for r in results:
        print(f"  {r['hardware']:13s} cycle: Ironic's log {r['ironic_seconds']:.2f} s, at the "
              f"BMCs {r['bmc_seconds']:.2f} s first to last read ({r['reads']} reads of "
              f"{r['bmcs_read']} BMCs, {r['logins']} logins); "
              f"CPU {r['cpu_seconds']:.2f} s = {r['cpu_ms_per_node']:.2f} ms per node")
    if len(results) == 2:
        ours, theirs = results
        print(f"  cycle ratio ipmi / tripleo-ipmi (Ironic's log): "
              f"{theirs['ironic_seconds'] / ours['ironic_seconds']:.1f}x   (target >= 10x)")
        print(f"  CPU per node ratio: "
              f"{theirs['cpu_ms_per_node'] / max(ours['cpu_ms_per_node'], 1e-9):.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
