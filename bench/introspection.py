"""Benchmark: ramdisk payloads processed into a real Ironic by discoverd and by
ironic-inspector 12.5, in the same run, against the same Ironic (fake power).

Each service gets its own N nodes (same shapes: 2 ports, a BMC address), its own
SQLite database and runs as its own process with the same settings: noauth, no
stored data, no PXE filter, no power management (``manage_boot=false``). The bench
starts introspection of every node, then posts N realistic ramdisk payloads to
``/v1/continue`` from ``--concurrency`` client threads and times each request.
Prints payloads/s, p50/p99 latency for each service, and the ratio; a payload the
service refuses (Ironic failed under it) is counted and left out of the figures.

discoverd runs with its defaults except three settings, each set to what
ironic-inspector 12.5 does by default so both write the same things to Ironic:
``store_data = false`` (inspector's ``store_data`` defaults to ``none``),
``[extra_hardware] store = data`` (inspector's default hooks do not include
``extra_hardware``, so neither puts the hardware facts into ``node.extra``) and
``[ports] update_pxe_enabled = false``: discoverd's default clears ``pxe_enabled`` on the
non-boot port, one port PATCH per payload here, which inspector does not do (it only
fixes the ports of the interfaces it selected, already right here). ``--fix-ports``
keeps discoverd's default instead, to measure what that PATCH costs. discoverd runs
first, on an Ironic database holding both services' nodes already.

Both services spend most of each payload waiting for Ironic, whose one process
(SQLite allows no more) does one write at a time at about 30 ms of CPU each. The
CPU each process used per payload is printed too, which shows where the time goes.

ironic-inspector is installed (``pip install ironic-inspector==12.5.*``) into
``.venv-bench``, a venv created here on first use that sees ``.venv``'s packages
through a ``.pth`` file, so only ironic-inspector and its four missing
dependencies land in it and ``.venv`` is left untouched.

``--ironic production`` runs both against the production-shaped Ironic of
``lab up --ironic production`` (:mod:`ironic_tripleo.lab.ironic_cluster`: PostgreSQL,
Ironic's API in two processes on one port, two conductors on JSON-RPC).
discoverd then runs as two processes sharing one PostgreSQL database (the client
threads alternate between them, as a load balancer would), ironic-inspector as one
standalone process on its own
PostgreSQL database on the same server (standalone ironic-inspector keeps its locks in
the process, so two of them may not share a database). The CPU of every process
(each API, each conductor, PostgreSQL with its backends) is printed per payload, and
the load average before and after, since the machine may be shared.

Where a payload's time goes in Ironic is read from the API's request log
(``bench/lib/ironic_api_log.py``): for each service, the requests of each kind per
payload in the timed part and the time Ironic's API spent on each (its own figure,
so it includes the wait for the conductors and the database), then how many API
processes served them and how many API workers exited meanwhile.
``--only-discoverd`` skips ironic-inspector (to compare changes of discoverd).

    .venv/bin/python bench/introspection.py [--nodes 1000] [--concurrency 8] [--fix-ports]
        [--ironic {all-in-one,production}] [--only-discoverd]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import itertools
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "lib"))

import ironic_api_log  # noqa: E402

from baremetal_common.cloud import connect  # noqa: E402
from ironic_tripleo.lab import ironic_cluster  # noqa: E402
from ironic_tripleo.lab.ironic_service import IronicConfig, IronicService  # noqa: E402
from ironic_tripleo.lab.process import stop_group  # noqa: E402
from ironic_tripleo.lab.side_venv import SideVenv  # noqa: E402
from tests.harness.discoverd_payloads import ramdisk_payload  # noqa: E402
from tests.harness.ports import free_port  # noqa: E402
from tests.harness.waiting import wait_for  # noqa: E402

BENCH_VENV = ROOT / ".venv-bench"
INSPECTOR_REQ = "ironic-inspector==12.5.*"
FAKE = dict(hardware_types=("fake-hardware",), power_interfaces=("fake",),
            management_interfaces=("fake",), boot_interfaces=("fake",),
            inspect_interfaces=("no-inspect",), vendor_interfaces=("no-vendor",))


def ensure_inspector_venv() -> Path:
    """``.venv-bench`` with ironic-inspector 12.5 on top of ``.venv`` (a side venv)."""
    venv = SideVenv(BENCH_VENV, (INSPECTOR_REQ,), ("ironic-inspector",), ".stamp-bench")
    if not venv.ready():
        print(f"creating {BENCH_VENV} with {INSPECTOR_REQ} (once)", flush=True)
    return venv.ensure()


def start_process(cmd: list[str], workdir: Path, name: str, url: str) -> subprocess.Popen:
    """Start a service, wait for its API; its output goes to ``workdir/name.log``."""
    with open(workdir / f"{name}.log", "ab") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def ready() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited: see {workdir / f'{name}.log'}")
        try:
            return requests.get(url, timeout=2).ok
        except requests.RequestException:
            return False
    wait_for(ready, 60, 0.2, what=name)
    return proc


def discoverd_cmd(workdir: Path, ironic_url: str, port: int, fix_ports: bool = False,
                  database: str | None = None, name: str = "discoverd") -> list[str]:
    conf = workdir / f"{name}.conf"
    conf.write_text(f"""[DEFAULT]
listen_address = 127.0.0.1
listen_port = {port}
power_off = false
[database]
connection = {database or f"sqlite:///{workdir / 'discoverd.sqlite'}"}
[ironic]
url = {ironic_url}
[processing]
store_data = false
[extra_hardware]
store = data
[ports]
update_pxe_enabled = {str(fix_ports).lower()}
[pxe_filter]
driver = noop
""")
    return [str(Path(sys.executable).parent / "discoverd"), "--config-file", str(conf)]


def inspector_cmd(venv: Path, workdir: Path, ironic_url: str, port: int,
                  database: str | None = None) -> list[str]:
    conf = workdir / "inspector.conf"
    conf.write_text(f"""[DEFAULT]
auth_strategy = noauth
listen_address = 127.0.0.1
listen_port = {port}
standalone = true
transport_url = fake://
use_stderr = true
[database]
connection = {database or f"sqlite:///{workdir / 'inspector.sqlite'}"}
[ironic]
auth_type = none
endpoint_override = {ironic_url}
[processing]
store_data = none
power_off = false
[pxe_filter]
driver = noop
""")
    subprocess.run([str(venv / "bin" / "ironic-inspector-dbsync"), "--config-file",
                    str(conf), "upgrade"], check=True, capture_output=True)
    return [str(venv / "bin" / "ironic-inspector"), "--config-file", str(conf)]


def enroll(bm, prefix: int, count: int, pool: concurrent.futures.Executor) -> list[tuple]:
    """Create ``count`` fake nodes with two ports each (in ``enroll``: both services
    accept it, and ``manage`` would only add Ironic's verification time)."""
    def one(i: int) -> tuple:
        macs = [f"52:54:{prefix:02x}:{i >> 8 & 0xff:02x}:{i & 0xff:02x}:{j:02x}"
                for j in (1, 2)]
        bmc = f"10.{prefix}.{i >> 8 & 0xff}.{i & 0xff}"
        node = bm.create_node(driver="fake-hardware", name=f"b{prefix}-{i}",
                              driver_info={"ipmi_address": bmc})  # stays in enroll
        for mac in macs:
            bm.create_port(node_uuid=node.id, address=mac)
        return node.id, macs, bmc
    return list(pool.map(one, range(count)))


def run(name: str, urls: list[str], nodes: list[tuple], concurrency: int,
        cpu: Callable[[], dict[str, float]]) -> dict:
    """Start introspection of ``nodes``, then time the payloads.

    Node ``i`` is started at and posted to ``urls[i % len(urls)]`` (one URL per
    process of the service). ``cpu`` returns the CPU seconds used so far by each
    process that matters (the service's and Ironic's); the result carries their use
    per payload over the timed part.
    """
    session = requests.Session()
    url_of = dict(zip((uuid for uuid, _, _ in nodes), itertools.cycle(urls)))
    for uuid, _, _ in nodes:
        r = session.post(f"{url_of[uuid]}/v1/introspection/{uuid}",
                         params={"manage_boot": "false"}, timeout=60)
        r.raise_for_status()
    for uuid, _, _ in nodes:  # ironic-inspector starts asynchronously
        wait_for(lambda u=uuid: session.get(f"{url_of[u]}/v1/introspection/{u}", timeout=60)
                 .json().get("state") == "waiting", 120, 0.05, what=f"{name}: {uuid} waiting")

    failures: list[str] = []

    def post(node: tuple) -> float | None:
        """The payload's latency, or None when the service refused it (recorded)."""
        uuid, macs, bmc = node
        payload = ramdisk_payload(macs + ["52:54:ff:ff:ff:ff"], bmc_address=bmc)
        payload["root_disk"] = payload["inventory"]["disks"][0]  # IPA sends it; inspector uses it
        t0 = time.perf_counter()
        r = requests.post(f"{url_of[uuid]}/v1/continue", json=payload, timeout=120)
        elapsed = time.perf_counter() - t0
        if r.status_code != 200:
            failures.append(f"{uuid}: {r.status_code} {r.text[:300]}")
            return None
        return elapsed

    before = cpu()
    start = datetime.datetime.now()  # noqa: DTZ005 - Ironic logs local times
    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        latencies = sorted(t for t in pool.map(post, nodes) if t is not None)
    wall = time.perf_counter() - t0
    end = datetime.datetime.now()  # noqa: DTZ005
    after = cpu()
    if failures:  # a payload that failed is no measure: the run goes on, and says so
        print(f"  {name}: {len(failures)} payload(s) failed, the first: {failures[0]}",
              flush=True)
    if not latencies:
        raise RuntimeError(f"{name}: every payload failed")
    return {"name": name, "rate": len(latencies) / wall, "wall": wall,
            "window": (start, end), "nodes": nodes, "failed": len(failures),
            "cpu": {k: (after[k] - before[k]) / len(nodes) for k in before},
            "p50": statistics.median(latencies),
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]}


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by process ``pid`` and its children,
    the children that already exited and were waited for included (PostgreSQL's
    backends, Ironic's API workers)."""
    root = psutil.Process(pid)
    times = root.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system
    for proc in root.children(recursive=True):
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def check(bm, nodes: list[tuple]) -> int:
    """How many nodes got their properties written."""
    return sum(1 for uuid, _, _ in nodes
               if str(bm.get_node(uuid).properties.get("cpus")) == "4")


def load_average() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


class AllInOne:
    """One ``ironic`` process on SQLite; the services keep SQLite databases too."""

    processes = 1

    def __init__(self, work: Path) -> None:
        (work / "ironic").mkdir()
        self.ironic = IronicService(IronicConfig(workdir=work / "ironic", port=free_port(),
                                                 **FAKE))
        self.url = self.ironic.url

    def start(self) -> None:
        self.ironic.start()

    def stop(self) -> None:
        self.ironic.stop()

    def database(self, name: str) -> str | None:
        return None  # each service's own SQLite file

    def pids(self) -> dict[str, int]:
        return {"ironic": self.ironic.pid}

    def api_logs(self) -> list[Path]:
        return [self.ironic.cfg.workdir / "ironic.log"]


class Production:
    """The lab's production-shaped Ironic; the services get databases on its
    PostgreSQL, discoverd runs as two processes."""

    processes = 2

    def __init__(self, work: Path) -> None:
        self.cluster = ironic_cluster.for_lab(
            IronicConfig(workdir=work / "ironic", port=free_port(), **FAKE))
        self.url = self.cluster.url

    def start(self) -> None:
        self.cluster.start()

    def stop(self) -> None:
        self.cluster.stop()

    def database(self, name: str) -> str:
        return self.cluster.postgres.create_database(name)

    def pids(self) -> dict[str, int]:
        pids = {f"ironic {name}": pid for name, pid in self.cluster.pids.items()}
        pid_file = self.cluster.postgres.datadir / "postmaster.pid"
        pids["postgresql"] = int(pid_file.read_text().split()[0])
        return pids

    def api_logs(self) -> list[Path]:
        return [self.cluster.workdir / "api" / "ironic.log"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=1000, help="payloads per service")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--fix-ports", action="store_true",
                        help="keep discoverd's default update_pxe_enabled (it then also "
                             "clears pxe_enabled on the non-boot port: one more Ironic "
                             "write per payload than ironic-inspector)")
    parser.add_argument("--ironic", choices=ironic_cluster.SHAPES, default="all-in-one",
                        help="all-in-one: one ironic process on SQLite; production: "
                             "PostgreSQL, ironic-api workers, two conductors, and two "
                             "discoverd processes on PostgreSQL")
    parser.add_argument("--only-discoverd", action="store_true",
                        help="skip ironic-inspector (no ratio): to compare discoverd "
                             "changes in the same conditions")
    parser.add_argument("--workdir", type=Path,
                        help="keep configs, databases and logs here (default: a temporary "
                             "directory, removed at the end)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    venv = ensure_inspector_venv()
    print(f"before: {load_average()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-introspection-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        shape = (Production if args.ironic == "production" else AllInOne)(work)
        procs: list[subprocess.Popen] = []
        try:
            shape.start()
            bm = connect(shape.url).baremetal
            t0 = time.perf_counter()
            services = 1 if args.only_discoverd else 2
            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                ours = enroll(bm, 1, args.nodes, pool)
                theirs = [] if args.only_discoverd else enroll(bm, 2, args.nodes, pool)
            print(f"enrolled {services} x {args.nodes} nodes in "
                  f"{time.perf_counter() - t0:.1f}s", flush=True)
            discoverd_db = shape.database("discoverd")
            discoverd = [
                (f"discoverd-{i}", lambda p, i=i: discoverd_cmd(
                    work, shape.url, p, args.fix_ports, discoverd_db, f"discoverd-{i}"))
                for i in range(shape.processes)]
            inspector_db = shape.database("inspector")
            inspector = [("ironic-inspector", lambda p: inspector_cmd(
                venv, work, shape.url, p, inspector_db))]
            results = []
            for name, service, nodes in (("discoverd", discoverd, ours),
                                         ("ironic-inspector 12.5", inspector, theirs)):
                if not nodes:
                    continue
                result = bench_one(name, service, nodes, args.concurrency, work, procs,
                                   shape.pids())
                result["api"] = ironic_api_log.summarize(shape.api_logs(),
                                                         *result["window"])
                results.append(result)
                print(f"  {name}: {check(bm, nodes)}/{len(nodes)} nodes written", flush=True)
        finally:
            for proc in procs:
                stop_group(proc.pid)
            shape.stop()
    print(f"after: {load_average()}")
    print(f"\n{args.nodes} payloads each, {args.concurrency} client threads, same Ironic "
          f"({args.ironic}); discoverd as {shape.processes} process(es), "
          f"{'fixes' if args.fix_ports else 'leaves'} the non-boot port's pxe_enabled:")
    for r in results:
        print(f"  {r['name']:<22} {r['rate']:7.1f} payloads/s  wall {r['wall']:6.1f}s  "
              f"p50 {r['p50'] * 1000:7.1f} ms  p99 {r['p99'] * 1000:7.1f} ms  "
              f"failed {r['failed']}")
    print("  CPU ms per payload, per process (the service's, then Ironic's):")
    for r in results:
        figures = "  ".join(f"{k} {v * 1000:.1f}" for k, v in r["cpu"].items())
        print(f"  {r['name']:<22} {figures}")
    print("  Ironic API requests per payload: count x mean (p99) ms that the API spent:")
    for r in results:
        api, count = r["api"], len(r["nodes"])
        print(f"  {r['name']}: served by {api.serving_pids} API process(es); "
              f"API workers exited meanwhile: {api.workers_exited}")
        for kind, k in api.kinds.items():
            print(f"    {k.count / count:5.2f} x {k.mean_ms:7.1f} ({k.p99_ms:7.1f})  {kind}")
    if len(results) == 2:
        print(f"  ratio (discoverd / ironic-inspector): "
              f"{results[0]['rate'] / results[1]['rate']:.2f}x")
    return 0


def bench_one(name: str, service: list[tuple[str, Callable[[int], list[str]]]],
              nodes: list[tuple], concurrency: int, work: Path,
              procs: list[subprocess.Popen], ironic_pids: dict[str, int]) -> dict:
    """Start the processes of ``service`` (name, command for a port), time the payloads."""
    urls, pids = [], {}
    for proc_name, make in service:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        proc = start_process(make(port), work, proc_name, url)
        procs.append(proc)
        urls.append(url)
        pids[proc_name] = proc.pid
    pids.update(ironic_pids)
    result = run(name, urls, nodes, concurrency,
                 cpu=lambda: {k: cpu_seconds(pid) for k, pid in pids.items()})
    print(f"  {name}: {result['rate']:.1f} payloads/s", flush=True)
    return result


if __name__ == "__main__":
    sys.exit(main())
