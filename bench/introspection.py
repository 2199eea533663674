"""Benchmark: ramdisk payloads processed into a real Ironic by discoverd and by
ironic-inspector 12.5, in the same run, against the same Ironic (fake power).

Each service gets its own N nodes (same shapes: 2 ports, a BMC address), its own
SQLite database and runs as its own process with the same settings: noauth, no
stored data, no PXE filter, no power management (``manage_boot=false``). The bench
starts introspection of every node, then posts N realistic ramdisk payloads to
``/v1/continue`` from ``--concurrency`` client threads and times each request.
Prints payloads/s, p50/p99 latency for each service, and the ratio.

discoverd runs with its defaults except three settings, each set to what
ironic-inspector 12.5 does by default so both write the same things to Ironic:
``store_data = false`` (inspector's ``store_data`` defaults to ``none``),
``extra_hardware_store = data`` (inspector's default hooks do not include
``extra_hardware``, so neither puts the hardware facts into ``node.extra``) and
``update_pxe_enabled = false``: discoverd's default clears ``pxe_enabled`` on the
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

    .venv/bin/python bench/introspection.py [--nodes 1000] [--concurrency 8] [--fix-ports]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import logging
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ironic_tripleo.cloud import connect  # noqa: E402
from ironic_tripleo.lab.ironic_service import IronicConfig, IronicService  # noqa: E402
from ironic_tripleo.lab.process import stop_group  # noqa: E402
from tests.netutil import free_port, wait_for  # noqa: E402
from tests.unit.discoverd.payloads import ramdisk_payload  # noqa: E402

BENCH_VENV = ROOT / ".venv-bench"
INSPECTOR_REQ = "ironic-inspector==12.5.*"
FAKE = dict(hardware_types=("fake-hardware",), power_interfaces=("fake",),
            management_interfaces=("fake",), boot_interfaces=("fake",),
            inspect_interfaces=("no-inspect",), vendor_interfaces=("no-vendor",))


def ensure_inspector_venv() -> Path:
    """Create ``.venv-bench`` with ironic-inspector 12.5 on top of ``.venv``."""
    binary = BENCH_VENV / "bin" / "ironic-inspector"
    if binary.exists():
        return BENCH_VENV
    print(f"creating {BENCH_VENV} with {INSPECTOR_REQ} (once)", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    site = Path(subprocess.check_output(
        [str(BENCH_VENV / "bin" / "python"), "-c",
         "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    (site / "_main_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "-q", INSPECTOR_REQ],
                   check=True)
    return BENCH_VENV


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


def discoverd_cmd(workdir: Path, ironic_url: str, port: int, fix_ports: bool = False
                  ) -> list[str]:
    conf = workdir / "discoverd.conf"
    conf.write_text(f"""[DEFAULT]
listen_address = 127.0.0.1
listen_port = {port}
power_off = false
[database]
connection = sqlite:///{workdir / 'discoverd.sqlite'}
[ironic]
url = {ironic_url}
[processing]
store_data = false
extra_hardware_store = data
update_pxe_enabled = {str(fix_ports).lower()}
[pxe_filter]
driver = noop
""")
    return [str(Path(sys.executable).parent / "discoverd"), "--config-file", str(conf)]


def inspector_cmd(venv: Path, workdir: Path, ironic_url: str, port: int) -> list[str]:
    conf = workdir / "inspector.conf"
    conf.write_text(f"""[DEFAULT]
auth_strategy = noauth
listen_address = 127.0.0.1
listen_port = {port}
standalone = true
transport_url = fake://
use_stderr = true
[database]
connection = sqlite:///{workdir / 'inspector.sqlite'}
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


def run(name: str, url: str, nodes: list[tuple], concurrency: int,
        cpu: Callable[[], tuple[float, float]]) -> dict:
    """Start introspection of ``nodes`` at ``url``, then time the payloads.

    ``cpu`` returns the CPU seconds used so far by the service and by Ironic; the
    result carries their use per payload over the timed part.
    """
    session = requests.Session()
    for uuid, _, _ in nodes:
        r = session.post(f"{url}/v1/introspection/{uuid}", params={"manage_boot": "false"},
                         timeout=60)
        r.raise_for_status()
    for uuid, _, _ in nodes:  # ironic-inspector starts asynchronously
        wait_for(lambda u=uuid: session.get(f"{url}/v1/introspection/{u}", timeout=60)
                 .json().get("state") == "waiting", 120, 0.05, what=f"{name}: {uuid} waiting")

    def post(node: tuple) -> float:
        uuid, macs, bmc = node
        payload = ramdisk_payload(macs + ["52:54:ff:ff:ff:ff"], bmc_address=bmc)
        payload["root_disk"] = payload["inventory"]["disks"][0]  # IPA sends it; inspector uses it
        t0 = time.perf_counter()
        r = requests.post(f"{url}/v1/continue", json=payload, timeout=120)
        elapsed = time.perf_counter() - t0
        if r.status_code != 200:
            raise RuntimeError(f"{name}: {uuid}: {r.status_code} {r.text[:300]}")
        return elapsed

    service0, ironic0 = cpu()
    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        latencies = sorted(pool.map(post, nodes))
    wall = time.perf_counter() - t0
    service1, ironic1 = cpu()
    return {"name": name, "rate": len(nodes) / wall, "wall": wall,
            "cpu_service": (service1 - service0) / len(nodes),
            "cpu_ironic": (ironic1 - ironic0) / len(nodes),
            "p50": statistics.median(latencies),
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]}


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by process ``pid`` and its children."""
    procs = [psutil.Process(pid)]
    procs += procs[0].children(recursive=True)
    total = 0.0
    for proc in procs:
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=1000, help="payloads per service")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--fix-ports", action="store_true",
                        help="keep discoverd's default update_pxe_enabled (it then also "
                             "clears pxe_enabled on the non-boot port: one more Ironic "
                             "write per payload than ironic-inspector)")
    parser.add_argument("--workdir", type=Path,
                        help="keep configs, databases and logs here (default: a temporary "
                             "directory, removed at the end)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    venv = ensure_inspector_venv()
    with tempfile.TemporaryDirectory(prefix="bench-introspection-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        ironic = IronicService(IronicConfig(workdir=work / "ironic", port=free_port(), **FAKE))
        (work / "ironic").mkdir()
        procs: list[subprocess.Popen] = []
        try:
            ironic.start()
            bm = connect(ironic.url).baremetal
            t0 = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                ours, theirs = enroll(bm, 1, args.nodes, pool), enroll(bm, 2, args.nodes, pool)
            print(f"enrolled 2 x {args.nodes} nodes in {time.perf_counter() - t0:.1f}s",
                  flush=True)
            results = []
            for name, make, nodes in (
                ("discoverd", lambda p: discoverd_cmd(work, ironic.url, p, args.fix_ports),
                 ours),
                ("ironic-inspector 12.5", lambda p: inspector_cmd(venv, work, ironic.url, p),
                 theirs)):
                results.append(bench_one(name, make, nodes, args.concurrency, work, procs,
                                         ironic_pid=ironic.pid))
                print(f"  {name}: {check(bm, nodes)}/{len(nodes)} nodes written", flush=True)
        finally:
            for proc in procs:
                stop_group(proc.pid)
            ironic.stop()
    print(f"\n{args.nodes} payloads each, {args.concurrency} client threads, same Ironic; "
          f"discoverd {'fixes' if args.fix_ports else 'leaves'} the non-boot port's "
          "pxe_enabled:")
    for r in results:
        print(f"  {r['name']:<22} {r['rate']:7.1f} payloads/s  wall {r['wall']:6.1f}s  "
              f"p50 {r['p50'] * 1000:7.1f} ms  p99 {r['p99'] * 1000:7.1f} ms")
    print("  CPU ms per payload, in the service and in the Ironic it writes to:")
    for r in results:
        print(f"  {r['name']:<22} service {r['cpu_service'] * 1000:6.1f}  "
              f"ironic {r['cpu_ironic'] * 1000:6.1f}")
    print(f"  ratio (discoverd / ironic-inspector): {results[0]['rate'] / results[1]['rate']:.2f}x")
    return 0


def bench_one(name: str, make: Callable[[int], list[str]], nodes: list[tuple],
              concurrency: int, work: Path, procs: list[subprocess.Popen],
              ironic_pid: int) -> dict:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_process(make(port), work, name.split()[0], url)
    procs.append(proc)
    result = run(name, url, nodes, concurrency,
                 cpu=lambda: (cpu_seconds(proc.pid), cpu_seconds(ironic_pid)))
    print(f"  {name}: {result['rate']:.1f} payloads/s", flush=True)
    return result


if __name__ == "__main__":
    sys.exit(main())
