"""Benchmark: N lab nodes introspected end to end, the way the operator runs it.

A namespace lab (``running_lab``: real Ironic, discoverd, dnsmasq, the virtual BMC)
with N nodes and discoverd's dnsmasq PXE filter on (``lab up --pxe-filter``). The
nodes are enrolled and made ``manageable`` (not timed), then introspected by the
scheduler ``introspect --all-manageable --wait`` runs
(``ironic_tripleo.nodes.introspection``, its defaults: 20 at a time, 1 s poll): Ironic
boots each node through the virtual BMC, the node's firmware does DHCP and TFTP
against dnsmasq, the discovery agent posts to discoverd, Ironic ends the inspection.

Printed: the total time, each node's time from its ``inspect`` request to
``manageable`` (p50/p99), the peak RSS of the lab's processes (total and per node),
and the CPU seconds each kind of process used (Ironic, discoverd, dnsmasq, the
virtual BMC, the nodes' firmware and agents): where the time goes on 2 cores. Lab
processes are sampled every second (a process that lives less than that is missed).
``--max-rss-gib`` stops the run when the lab grows past it.

Then the PXE filter's sync cost, separately, with 100 and 1000 MACs:
``HostsDir.apply`` on a fresh directory (every file written), again with nothing
changed, and with one node's introspection starting (its MAC allowed, unknown MACs
allowed); and ``PXEFilter.sync`` as discoverd runs it (the lab Ironic's port list, the
lab discoverd's database, a hosts directory of its own), with the lab's N MACs and
with ports added to a ``fake-hardware`` node up to 1000 MACs.

    .venv/bin/python bench/bulk_introspection.py [--nodes 100] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from baremetal_common.cloud import connect  # noqa: E402
from discoverd.db.api import Database  # noqa: E402
from discoverd.ironic import from_conf as discoverd_ironic  # noqa: E402
from discoverd.pxe_filter.dnsmasq import HostsDir, decide  # noqa: E402
from discoverd.pxe_filter.sync import PXEFilter  # noqa: E402
from ironic_tripleo.enroll.enroll import enroll  # noqa: E402
from ironic_tripleo.enroll.inventory import validate  # noqa: E402
from ironic_tripleo.lab.lab import running_lab  # noqa: E402
from ironic_tripleo.lab.node import NodeSpec  # noqa: E402
from ironic_tripleo.nodes import introspection  # noqa: E402

GiB = 1024 ** 3
#: Process kinds, by a word of the command line of the process or of an ancestor.
NODES = "nodes (firmware + agent)"
KINDS = (("ironic_tripleo.lab.firmware", NODES), ("ironic-tripleo-ramdisk", NODES),
         ("bmc serve", "virtual BMC"), ("discoverd", "discoverd"),
         ("dnsmasq", "dnsmasq"), ("ironic", "ironic"))


class Sampler(threading.Thread):
    """Every second: RSS of the lab's processes (peak kept) and the last CPU time
    seen of each, by kind."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(daemon=True)
        self.workdir = str(workdir)
        self.peak_rss = 0
        self.peak_nodes_rss = 0
        self.cpu: dict[int, tuple[str, float]] = {}
        self.baseline: dict[int, float] = {}
        self.kinds: dict[int, str | None] = {}
        self._halt = threading.Event()

    def _kind(self, proc: psutil.Process) -> str | None:
        if proc.pid not in self.kinds:
            kind = None
            for p in [proc, *proc.parents()]:
                line = " ".join(p.cmdline())
                if self.workdir in line or p.pid in self.kinds and self.kinds[p.pid]:
                    kind = self.kinds.get(p.pid) or next(
                        (k for word, k in KINDS if word in line), "other")
                    break
            self.kinds[proc.pid] = kind
        return self.kinds[proc.pid]

    def sample(self) -> None:
        rss = nodes_rss = 0
        for proc in psutil.process_iter():
            try:
                kind = self._kind(proc)
                if kind is None:
                    continue
                with proc.oneshot():
                    used = proc.memory_info().rss
                    times = proc.cpu_times()
                rss += used
                nodes_rss += used if kind == NODES else 0
                self.cpu[proc.pid] = (kind, times.user + times.system)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_nodes_rss = max(self.peak_nodes_rss, nodes_rss)

    def mark(self) -> None:
        """CPU counted from now on (what each live process used so far is left out)."""
        self.sample()
        self.baseline = {pid: seconds for pid, (_, seconds) in self.cpu.items()}

    def run(self) -> None:
        while not self._halt.wait(1.0):
            self.sample()

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def cpu_by_kind(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for pid, (kind, seconds) in self.cpu.items():
            totals[kind] = totals.get(kind, 0.0) + seconds - self.baseline.get(pid, 0.0)
        return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def introspect_all(lab: dict, options: introspection.Options, sampler: Sampler,
                   max_rss: float) -> dict:
    """Enroll and manage every node, then time ``introspect --all-manageable``."""
    bm = connect(lab["ironic_url"]).baremetal
    entries = json.loads(Path(lab["instackenv"]).read_text())["nodes"]
    for entry in entries:  # sizes come from introspection, as on real hardware
        for key in ("cpu", "memory", "disk"):
            entry.pop(key, None)
        entry["ports"] = [{"address": mac} for mac in entry.pop("mac", [])]
    t0 = time.monotonic()
    enroll(bm, validate({"nodes": entries}), manage=True, timeout=600)
    print(f"enrolled and managed {len(entries)} nodes in {time.monotonic() - t0:.1f}s",
          flush=True)
    nodes = introspection.select_nodes(bm, all_manageable=True)
    finished_at: dict[str, float] = {}
    last_report = [0.0]

    def progress(tracked: list[introspection.Tracked]) -> None:
        now = time.monotonic()
        for node in tracked:
            if node.finished and node.uuid not in finished_at:
                finished_at[node.uuid] = now
        if sampler.peak_rss > max_rss:
            raise RuntimeError(f"lab processes use {sampler.peak_rss / GiB:.2f} GiB "
                               f"(limit {max_rss / GiB:.2f}): stopping")
        if now - last_report[0] >= 15:
            last_report[0] = now
            print(f"  {now - t0:6.0f}s: {len(finished_at)}/{len(tracked)} finished, "
                  f"lab RSS peak {sampler.peak_rss / GiB:.2f} GiB", flush=True)

    sampler.mark()
    t0 = time.monotonic()
    introspection.run(bm, nodes, options, progress=progress)
    total = time.monotonic() - t0
    durations = [finished_at[n.uuid] - n.since for n in nodes if not n.failed]
    failed = [(n.name, n.state, n.error) for n in nodes if n.failed]
    return {"total": total, "durations": durations, "failed": failed, "count": len(nodes),
            "retried": sum(1 for n in nodes if n.attempts > 1)}


def time_apply(macs: int) -> dict[str, float]:
    """``HostsDir.apply`` with ``macs`` known MACs, in a fresh directory."""
    known = [f"52:54:aa:{i >> 16 & 0xff:02x}:{i >> 8 & 0xff:02x}:{i & 0xff:02x}"
             for i in range(macs)]
    figures = {}
    with tempfile.TemporaryDirectory(prefix="bench-hostsdir-") as tmp:
        hostsdir = HostsDir(tmp)
        for label, state in (("first", decide(known, [], False)),
                             ("unchanged", decide(known, [], False)),
                             ("one starts", decide(known, known[:1], True))):
            t0 = time.perf_counter()
            hostsdir.apply(state)
            figures[label] = time.perf_counter() - t0
    return figures


def time_sync(lab: dict, repeats: int = 5) -> float:
    """Median time of ``PXEFilter.sync`` against the lab's Ironic and database."""
    discoverd_dir = Path(lab["discoverd"]["workdir"])
    db = Database(f"sqlite:///{discoverd_dir / 'discoverd.sqlite'}")
    ironic = discoverd_ironic(lab["ironic_url"], None)
    times = []
    with tempfile.TemporaryDirectory(prefix="bench-hostsdir-") as tmp:
        pxe_filter = PXEFilter(HostsDir(tmp))
        for _ in range(repeats):
            t0 = time.perf_counter()
            if pxe_filter.sync(db, ironic) is None:
                raise RuntimeError("PXEFilter.sync failed (see the log)")
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def add_ports(lab: dict, total: int) -> int:
    """Add ports to one ``fake-hardware`` node until Ironic holds ``total`` MACs."""
    bm = connect(lab["ironic_url"]).baremetal
    have = len(list(bm.ports(fields=["address"])))
    node = bm.create_node(driver="fake-hardware", name="bench-ports")
    for i in range(total - have):
        bm.create_port(node_uuid=node.id,
                       address=f"52:54:bb:{i >> 16 & 0xff:02x}:{i >> 8 & 0xff:02x}:"
                               f"{i & 0xff:02x}")
    return len(list(bm.ports(fields=["address"])))


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=100, help="lab nodes (default 100)")
    parser.add_argument("--concurrency", type=int,
                        default=introspection.Options().concurrency,
                        help="nodes introspected at once (default: the CLI's, %(default)s)")
    parser.add_argument("--max-rss-gib", type=float, default=6.0,
                        help="stop when the lab's processes use more (default 6)")
    parser.add_argument("--sync-macs", type=int, default=1000,
                        help="MACs in Ironic for the second PXEFilter.sync (0: skip)")
    parser.add_argument("--workdir", type=Path,
                        help="the lab's directory (default: a temporary one, removed)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    options = introspection.Options(concurrency=args.concurrency, max_retries=0,
                                    poll_interval=1.0)
    print(f"before: {uptime()}", flush=True)
    apply_figures = {n: time_apply(n) for n in (100, 1000)}
    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as tmp:
        workdir = args.workdir or Path(tmp) / "lab"
        specs = [NodeSpec(cpus=2, memory_mb=2048, disk_gb=10) for _ in range(args.nodes)]
        t0 = time.monotonic()
        sampler = Sampler(workdir)
        with running_lab(workdir, specs, subnet="auto", pxe_filter=True) as lab:
            print(f"lab up with {args.nodes} nodes in {time.monotonic() - t0:.1f}s",
                  flush=True)
            sampler.start()
            try:
                result = introspect_all(lab, options, sampler, args.max_rss_gib * GiB)
            finally:
                sampler.stop()
            print(f"after the introspections: {uptime()}", flush=True)
            syncs = {len(lab["nodes"]): time_sync(lab)}
            if args.sync_macs > len(lab["nodes"]):
                syncs[add_ports(lab, args.sync_macs)] = time_sync(lab)
    print(f"\n{result['count']} nodes, concurrency {options.concurrency}, PXE filter on; "
          f"{len(result['failed'])} failed, {result['retried']} retried")
    for name, state, error in result["failed"]:
        print(f"  FAILED {name} ({state}): {error}")
    d = result["durations"]
    if d:
        print(f"  total {result['total']:.1f}s ({result['count'] / result['total']:.2f} "
              f"nodes/s); per node p50 {statistics.median(d):.1f}s p99 "
              f"{percentile(d, 0.99):.1f}s max {max(d):.1f}s")
    print(f"  lab processes' peak RSS {sampler.peak_rss / GiB:.2f} GiB "
          f"(the nodes' firmware and agents: {sampler.peak_nodes_rss / GiB:.2f} GiB, "
          f"at most {min(args.nodes, options.concurrency)} nodes up at once: "
          f"{sampler.peak_nodes_rss / min(args.nodes, options.concurrency) / 1024 ** 2:.0f}"
          " MiB per running node)")
    print("  CPU seconds by process kind during the introspections:")
    for kind, seconds in sampler.cpu_by_kind().items():
        print(f"    {kind:<26} {seconds:7.1f}")
    print("  PXE filter, HostsDir.apply (ms):")
    for macs, figures in apply_figures.items():
        print(f"    {macs:5d} MACs: " + ", ".join(f"{k} {v * 1000:.1f}"
                                                  for k, v in figures.items()))
    print("  PXE filter, PXEFilter.sync against the lab's Ironic and database (ms, median):")
    for macs, seconds in syncs.items():
        print(f"    {macs:5d} MACs: {seconds * 1000:.1f}")
    print(f"end: {uptime()}")
    return 1 if result["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
