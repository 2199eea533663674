"""Benchmark: VM lab nodes from power on to introspected, and to deployed and booted.

For each count N in ``--vms`` (default ``1,2,4``) a fresh VM lab (``lab up
--node-kind vm``) with N qemu VMs of 1 vCPU, 512 MiB and a 4 GiB disk. All N are
enrolled, then inspected at once through Ironic (``discoverd`` inspect interface:
power on, PXE boot of the built ramdisk through iPXE, discovery, power off): the
seconds from the inspect request to each node's ``manageable``. Then (unless
``--no-deploy``) all N are provided and deployed at once with the marker image
(``iscsi`` deploy interface): the seconds to ``active`` and to the deployed disk's
marker line on the node's serial console. The qemu processes' RSS is sampled every
second; its maximum per node is printed.

VMs are CPU-bound under TCG: on 2 cores N=4 is ~2x slower per node than N=2. Run
the 4-VM case alone and once (``--vms 4``).

    .venv/bin/python bench/vm_lab.py [--vms 1,2,4] [--ramdisk-dir DIR] [--no-deploy]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

# bench/ramdisk.py would shadow the ramdisk package when run as a script.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import psutil  # noqa: E402
import requests  # noqa: E402

from baremetal_common.cloud import connect  # noqa: E402
from ironic_tripleo.enroll.enroll import enroll  # noqa: E402
from ironic_tripleo.enroll.inventory import validate  # noqa: E402
from ironic_tripleo.lab import debian_kernel, marker_image, process  # noqa: E402
from ironic_tripleo.lab.lab import running_lab  # noqa: E402
from ironic_tripleo.lab.node import NodeSpec  # noqa: E402
from ironic_tripleo.lab.readiness import wait_until  # noqa: E402

HEADERS = {"X-OpenStack-Ironic-API-Version": "latest"}
MARKER = "ironic-tripleo bench: deployed disk booted"
MiB = 1024 * 1024


class RssSampler(threading.Thread):
    """Samples every node's qemu RSS each second; keeps the maximum per node."""

    def __init__(self, nodes: list[dict]) -> None:
        super().__init__(daemon=True)
        self.nodes = nodes
        self.peak: dict[str, int] = {n["name"]: 0 for n in nodes}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(1.0):
            for node in self.nodes:
                pid = process.read_pid(Path(node["node_dir"]) / "firmware.pid")
                try:
                    rss = psutil.Process(pid).memory_info().rss if pid else 0
                except psutil.Error:
                    rss = 0
                self.peak[node["name"]] = max(self.peak[node["name"]], rss)


def provision(lab: dict, name: str, target: str) -> None:
    r = requests.put(f"{lab['ironic_url']}/v1/nodes/{name}/states/provision",
                     headers=HEADERS, json={"target": target}, timeout=30)
    r.raise_for_status()


def wait_states(bm, names: list[str], wanted: str, failed: str, started: float,
                timeout: float, interval: float = 1.0) -> dict[str, float]:
    """Seconds from ``started`` until each node reached ``wanted`` (read every
    ``interval`` seconds)."""
    done: dict[str, float] = {}

    def all_there() -> str | None:
        for name in (n for n in names if n not in done):
            node = bm.get_node(name)
            if node.provision_state == wanted:
                done[name] = time.monotonic() - started
            elif node.provision_state == failed:
                raise RuntimeError(f"{name}: {failed}: {node.last_error}")
        missing = sorted(set(names) - set(done))
        return f"not {wanted} after {timeout} s: {missing}" if missing else None

    still = wait_until(all_there, max(0.0, timeout - (time.monotonic() - started)), interval)
    if still is not None:
        raise RuntimeError(still)
    return done


def marker_disk(workdir: Path) -> Path:
    kernel = debian_kernel.fetch(workdir / "kernel-cache")
    initramfs = marker_image.build_initramfs(
        workdir / "marker.initramfs", MARKER,
        [kernel.modules / m for m in debian_kernel.MODULES])
    return marker_image.build_disk_image(workdir / "marker.raw", kernel.vmlinuz, initramfs)


def run_one(count: int, ramdisk: tuple[Path, Path], image: Path, deploy: bool,
            workdir: Path) -> dict:
    specs = [NodeSpec(name=f"vm-{i}", cpus=1, memory_mb=512, disk_gb=4) for i in range(count)]
    with running_lab(workdir / f"lab-{count}", specs, subnet="auto", node_kind="vm",
                     ramdisk=ramdisk) as lab:
        entries = json.loads(Path(lab["instackenv"]).read_text())["nodes"]
        bm = connect(lab["ironic_url"]).baremetal
        enroll(bm, validate({"nodes": entries}), manage=True, timeout=120)
        names = [n["name"] for n in lab["nodes"]]
        sampler = RssSampler(lab["nodes"])
        sampler.start()
        started = time.monotonic()
        for name in names:
            provision(lab, name, "inspect")
        inspected = wait_states(bm, names, "manageable", "inspect failed", started, 1800)
        result = {"inspected": inspected, "booted": {}, "active": {}}
        if deploy:
            target = Path(lab["boot"]["images"]) / "marker.raw"
            target.write_bytes(image.read_bytes())
            digest = hashlib.sha256(target.read_bytes()).hexdigest()
            for name in names:
                provision(lab, name, "provide")
            wait_states(bm, names, "available", "clean failed", time.monotonic(), 120)
            for name in names:
                bm.patch_node(name, [{"op": "add", "path": "/instance_info", "value": {
                    "image_source": target.as_uri(), "image_os_hash_algo": "sha256",
                    "image_os_hash_value": digest, "image_type": "whole-disk"}}])
            started = time.monotonic()
            for name in names:
                provision(lab, name, "active")
            result["active"] = wait_states(bm, names, "active", "deploy failed", started,
                                           1800)
            for node in lab["nodes"]:
                console = Path(node["node_dir"]) / "console.log"
                if wait_until(lambda c=console: None if MARKER in c.read_text(
                        errors="replace") else "no marker",
                        max(0.0, 2400 - (time.monotonic() - started)), 1.0) is not None:
                    raise RuntimeError(f"{node['name']}: no marker on the console")
                result["booted"][node["name"]] = time.monotonic() - started
        sampler.stop.set()
        sampler.join()
        result["rss"] = sampler.peak
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vms", default="1,2,4", help="VM counts, comma-separated")
    parser.add_argument("--ramdisk-dir", type=Path, default=None,
                        help="the built ramdisk (default: build one, base cached)")
    parser.add_argument("--no-deploy", action="store_true", help="introspection only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-vm-lab-") as tmp:
        workdir = Path(tmp)
        if args.ramdisk_dir is None:
            from ramdisk.image import build, spec
            args.ramdisk_dir = workdir / "ramdisk"
            build.build(spec.BuildSpec(), args.ramdisk_dir)
        ramdisk = (args.ramdisk_dir / "ironic-tripleo.kernel",
                   args.ramdisk_dir / "ironic-tripleo.initramfs")
        image = marker_disk(workdir)
        print(f"cores {psutil.cpu_count()}, load {psutil.getloadavg()[0]:.1f} at start")
        for count in (int(c) for c in args.vms.split(",")):
            result = run_one(count, ramdisk, image, not args.no_deploy, workdir)
            print(f"\n{count} VM(s), 1 vCPU / 512 MiB each:")
            print(f"  {'node':6} {'introspected s':>15} {'active s':>9} {'booted s':>9} "
                  f"{'qemu RSS MiB':>13}")
            for name in sorted(result["inspected"]):
                active, booted = result["active"].get(name), result["booted"].get(name)
                print(f"  {name:6} {result['inspected'][name]:15.1f} "
                      f"{active if active is not None else float('nan'):9.1f} "
                      f"{booted if booted is not None else float('nan'):9.1f} "
                      f"{result['rss'][name] / MiB:13.0f}")
            print(f"  all introspected after {max(result['inspected'].values()):.1f} s "
                  f"(median {statistics.median(result['inspected'].values()):.1f} s); "
                  f"load {psutil.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
