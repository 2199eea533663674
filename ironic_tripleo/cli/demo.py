"""``ironic-tripleo demo``: the lab end to end, printing what happens as it goes.

Lab up (4 virtual nodes of different sizes, real Ironic, discoverd, dnsmasq, one
virtual BMC), enroll the lab's ``instackenv.json`` without its size hints (with
``manage``, which checks every BMC), power each node on and off through the Ironic
API while watching its firmware process appear and vanish in its namespace, set boot
devices, introspect all nodes through Ironic's ``discoverd`` inspect interface (each
node PXE-boots the discovery agent from the PXE config Ironic wrote), print the
result table, match roles with ``ahc-match`` (one control with 16 GiB, one
ceph-storage with a 500 GB disk, computes for the rest: profiles land in Ironic, and
Nova flavors plus a Heat environment are written), deploy a small generated
whole-disk image (GPT, one ext4 partition holding a marker file) to the first node
with the ``iscsi`` deploy interface (the node PXE-boots the deploy ramdisk, the
conductor writes over iSCSI), check the marker in the node's disk file, and bring
the lab down: also on failure or Ctrl-C.

``--node-kind vm`` runs the same story on 2 qemu VMs (``lab up --node-kind vm``):
they PXE-boot the built ramdisk (``ironic-tripleo ramdisk build``, done first when
``--ramdisk-dir`` holds none), the roles are matched on the VMs' sizes, the deployed
image is the lab's marker image (``lab.marker_image``) and the proof is the node
booting it from its disk: its marker line on the VM's serial console. Every step's
duration is printed at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ahc_rules.cli import match as ahc_match
from ahc_rules.ironic import node_profile
from baremetal_common.cloud import connect
from ironic_tripleo.cli import introspect
from ironic_tripleo.cli.lab import ramdisk_files
from ironic_tripleo.enroll.enroll import enroll
from ironic_tripleo.enroll.inventory import validate
from ironic_tripleo.lab import debian_kernel, marker_image, netns, qemu_vm
from ironic_tripleo.lab.exception import DemoError
from ironic_tripleo.lab.lab import Lab
from ironic_tripleo.lab.node import NodeSpec
from ironic_tripleo.lab.readiness import wait_until

LOG = logging.getLogger(__name__)

DEMO_NODES = (
    NodeSpec(name="node-0", cpus=4, memory_mb=8192, disk_gb=40),
    NodeSpec(name="node-1", cpus=8, memory_mb=16384, disk_gb=100),
    NodeSpec(name="node-2", cpus=8, memory_mb=16384, disk_gb=100),
    NodeSpec(name="node-3", cpus=2, memory_mb=4096, disk_gb=500),
)
# Two VMs of different memory sizes, so that the rules tell them apart.
DEMO_VMS = (
    NodeSpec(name="vm-0", cpus=1, memory_mb=1024, disk_gb=5),
    NodeSpec(name="vm-1", cpus=1, memory_mb=qemu_vm.MIN_MEMORY_MB, disk_gb=4),
)
TIMINGS: list[tuple[str, float]] = []


def step(text: str) -> None:
    TIMINGS.append((text, time.monotonic()))
    print(f"==> {text}", flush=True)


def print_timings() -> None:
    """Print how long each step took (until the next step started)."""
    if not TIMINGS:
        return
    print("step timings:")
    ends = [start for _, start in TIMINGS[1:]] + [time.monotonic()]
    for (text, start), end in zip(TIMINGS, ends, strict=True):
        print(f"  {end - start:7.1f} s  {text[:90]}")


def wait_namespace(namespace: str, running: bool, timeout: float = 10) -> list[int]:
    """Wait until ``namespace`` has (or has no) processes; return its pids."""
    pids: list[int] = []

    def settled() -> str | None:
        pids[:] = netns.namespace_pids(namespace)
        return None if bool(pids) == running else "not yet"

    if wait_until(settled, timeout, 0.05) is not None:
        raise DemoError(f"namespace {namespace}: expected "
                        f"{'a firmware process' if running else 'no process'}, "
                        f"found {pids or 'none'}")
    return pids


def wait_qemu(lab: Lab, name: str, running: bool, timeout: float = 30) -> int | None:
    """Wait until VM node ``name``'s qemu runs (or not); return its pid."""
    pid: list[int | None] = [None]

    def settled() -> str | None:
        pid[0] = next(n for n in lab.status()["nodes"] if n["name"] == name)["pid"]
        return None if bool(pid[0]) == running else "not yet"

    if wait_until(settled, timeout, 0.2) is not None:
        raise DemoError(f"{name}: expected qemu {'running' if running else 'gone'}, "
                        f"found pid {pid[0]}")
    return pid[0]


def run(workdir: Path, subnet: str) -> None:
    """Run the demo steps against a lab in ``workdir`` (which must already be up)."""
    lab = Lab(workdir)
    state = lab.load()
    vm = state["boot"].get("kind") == "vm"
    conn = connect(state["ironic_url"])
    enroll_lab(conn, lab, state)
    for node in state["nodes"]:
        name, ns = node["name"], node["namespace"]
        if vm:
            step(f"{name}: power on and off through Ironic (qemu on tap {node['tap']})")
            conn.baremetal.set_node_power_state(name, "power on", wait=True, timeout=60)
            pid = wait_qemu(lab, name, running=True)
            print(f"    {name}: Ironic says {conn.baremetal.get_node(name).power_state}; "
                  f"qemu pid {pid}")
            conn.baremetal.set_node_power_state(name, "power off", wait=True, timeout=60)
            wait_qemu(lab, name, running=False)
            print(f"    {name}: Ironic says {conn.baremetal.get_node(name).power_state}; "
                  "qemu gone")
            continue
        step(f"{name}: power on through Ironic")
        conn.baremetal.set_node_power_state(name, "power on", wait=True, timeout=60)
        pids = wait_namespace(ns, running=True)
        print(f"    {name}: Ironic says {conn.baremetal.get_node(name).power_state}; "
              f"firmware pid {pids} in namespace {ns}")
        step(f"{name}: power off through Ironic")
        conn.baremetal.set_node_power_state(name, "power off", wait=True, timeout=60)
        wait_namespace(ns, running=False)
        print(f"    {name}: Ironic says {conn.baremetal.get_node(name).power_state}; "
              f"namespace {ns} has no process")
    step("boot devices: pxe (persistent) for all, then disk (next boot only) for the first")
    for node in state["nodes"]:
        conn.baremetal.set_node_boot_device(node["name"], "pxe", persistent=True)
    conn.baremetal.set_node_boot_device(state["nodes"][0]["name"], "disk", persistent=False)
    print_table(conn, state)
    introspect_all(conn, state, timeout=900 if vm else 180)
    match_roles(conn, state, workdir, VM_RULES if vm else DEMO_RULES,
                {"control": 1, "compute": len(state["nodes"]) - 1} if vm else
                {"control": 1, "ceph-storage": 1, "compute": len(state["nodes"]) - 2})
    if vm:
        deploy_marker_vm(conn, state, workdir)
    else:
        deploy_first(conn, state)


def enroll_lab(conn, lab: Lab, state: dict) -> None:
    """Enroll the lab's ``instackenv.json`` without its size hints, and manage."""
    step(f"enroll {lab.instackenv_file} into Ironic at {state['ironic_url']} (and manage); "
         "sizes are left to introspection")
    inventory = json.loads(lab.instackenv_file.read_text())
    for entry in inventory["nodes"]:
        for hint in ("cpu", "memory", "disk"):
            entry.pop(hint, None)
    results = enroll(conn.baremetal, validate(inventory, str(lab.instackenv_file)),
                     manage=True, timeout=120)
    for result in results:
        print(f"    {result.entry.name}: {result.action} {result.node_id}, "
              f"ports {', '.join(result.entry.macs)}, {result.provision_state}")


# Rules in the ahc-match format, as an operator would write them for these nodes.
DEMO_RULES = {
    "state": "[('control', '1'), ('ceph-storage', '1'), ('compute', '*')]\n",
    "control.specs": "[('cpu', 'logical', 'number', 'ge(4)'),\n"
                     " ('memory', 'total', 'size', 'ge(16000000000)')]\n",
    "ceph-storage.specs": "[('disk', '$osd', 'size', 'ge(400)')]\n",
    "compute.specs": "[('cpu', 'logical', 'number', 'ge(1)')]\n",
}
# For the VM demo: the 1 GiB VM is the control node.
VM_RULES = {
    "state": "[('control', '1'), ('compute', '*')]\n",
    "control.specs": "[('memory', 'total', 'size', 'ge(1000000000)')]\n",
    "compute.specs": "[('cpu', 'logical', 'number', 'ge(1)')]\n",
}


def match_roles(conn, state: dict, workdir: Path, rules_text: dict[str, str],
                expected: dict[str, int], source: list[str] | None = None) -> None:
    """``ahc-match`` against the lab's Ironic; check the counts; show the profiles.

    :param source: how ahc-match reaches Ironic (default ``--ironic-url`` the lab's,
        noauth).
    """
    rules = workdir / "rules"
    rules.mkdir(parents=True, exist_ok=True)
    for name, text in rules_text.items():
        (rules / name).write_text(text)
    emit = workdir / "overcloud"
    source = source or ["--ironic-url", state["ironic_url"]]
    step(f"match roles: ahc-match --rules {rules} {' '.join(source)} --emit {emit}")
    code = ahc_match.main(["--rules", str(rules), *source, "--emit", str(emit)])
    if code != 0:
        raise DemoError(f"ahc-match exited with {code}")
    profiles = {n.name: node_profile(n) for n in conn.baremetal.nodes(details=True)}
    for name in sorted(profiles):
        print(f"    {name}: profile {profiles[name]}")
    counts = {role: list(profiles.values()).count(role) for role in expected}
    if counts != expected:
        raise DemoError(f"profiles {profiles} do not respect the rules' counts")
    print(f"    flavors and Heat environment: {', '.join(sorted(p.name for p in emit.iterdir()))}"
          f" in {emit}")


MARKER = "deployed by ironic-tripleo demo"
MiB = 1024 * 1024


def build_image(path: Path, marker: str, size_mb: int = 48) -> None:
    """Write a raw whole-disk image: GPT, partition 1 = ext4 with ``/marker.txt``."""
    with tempfile.TemporaryDirectory(prefix="demo-image-") as tmp:
        root = Path(tmp) / "root"
        root.mkdir()
        (root / "marker.txt").write_text(marker + "\n")
        part = Path(tmp) / "part.img"
        subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", str(root), str(part),
                        f"{size_mb - 2}M"], check=True, capture_output=True, timeout=60)
        with open(path, "wb") as f:
            f.truncate(size_mb * MiB)
        subprocess.run(["sgdisk", "-n", f"1:2048:+{size_mb - 2}M", "-c", "1:root",
                        str(path)], check=True, capture_output=True, timeout=60)
        with open(path, "r+b") as out, open(part, "rb") as src:
            out.seek(MiB)
            while chunk := src.read(4 * MiB):
                out.write(chunk)


def read_marker(disk: str) -> str:
    """Read ``/marker.txt`` from partition 1 of a disk file (parted + debugfs)."""
    table = subprocess.run(["parted", "-s", "-m", disk, "unit", "B", "print"], check=True,
                           capture_output=True, text=True, timeout=30).stdout
    start, size = next((int(f[1].rstrip("B")), int(f[3].rstrip("B")))
                       for f in (line.rstrip(";").split(":") for line in table.splitlines())
                       if f[0] == "1")
    with tempfile.TemporaryDirectory(prefix="demo-read-") as tmp:
        part = Path(tmp) / "p1.img"
        with open(disk, "rb") as src, open(part, "wb") as out:
            src.seek(start)
            out.write(src.read(size))
        result = subprocess.run(["debugfs", "-R", "cat /marker.txt", str(part)],
                                check=True, capture_output=True, text=True, timeout=30)
    return result.stdout.strip()


def deploy_first(conn, state: dict) -> None:
    """Provide the first node and deploy a generated image to it; check the marker."""
    node = state["nodes"][0]
    name, bm = node["name"], conn.baremetal
    image = Path(state["boot"]["images"]) / "demo-whole-disk.raw"
    build_image(image, f"{MARKER}: {name}")
    digest = hashlib.sha256(image.read_bytes()).hexdigest()
    step(f"{name}: provide (cleaning is off in the lab), then deploy {image.name} "
         f"({image.stat().st_size // MiB} MiB raw, GPT + ext4 with /marker.txt, sha256 "
         f"{digest[:12]}...) with the iscsi deploy interface")
    bm.set_node_provision_state(name, "provide", wait=True, timeout=120)
    bm.patch_node(name, [{"op": "add", "path": "/instance_info", "value": {
        "image_source": image.as_uri(), "image_os_hash_algo": "sha256",
        "image_os_hash_value": digest, "image_type": "whole-disk"}}])
    ironic = _deploy_and_follow(bm, name, timeout=240, poll=0.5)
    boot = bm.get_node_boot_device(name)
    marker = read_marker(node["disk"])
    print(f"    {name}: {ironic.provision_state}, {ironic.power_state}, boot device "
          f"{boot['boot_device']}; {node['disk']} partition 1 /marker.txt: {marker!r}")
    if marker != f"{MARKER}: {name}":
        raise DemoError(f"{name}: the disk holds {marker!r}, not the image's marker")
    print_table(conn, state)


VM_MARKER = "ironic-tripleo demo: the deployed disk booted"


def deploy_marker_vm(conn, state: dict, workdir: Path) -> None:
    """Deploy the marker image to the first VM; wait for its marker on the console."""
    node = state["nodes"][0]
    name, bm = node["name"], conn.baremetal
    step("build the marker image: a Debian kernel, a busybox initramfs printing "
         f"{VM_MARKER!r}, syslinux on an MBR disk")
    kernel = debian_kernel.fetch(workdir / "kernel-cache")
    initramfs = marker_image.build_initramfs(
        workdir / "marker.initramfs", VM_MARKER,
        [kernel.modules / m for m in debian_kernel.MODULES])
    image = marker_image.build_disk_image(Path(state["boot"]["images"]) / "marker.raw",
                                          kernel.vmlinuz, initramfs)
    digest = hashlib.sha256(image.read_bytes()).hexdigest()
    step(f"{name}: provide, then deploy {image.name} ({image.stat().st_size // MiB} MiB) "
         "with the iscsi deploy interface (the ramdisk's tgtd exports the VM's disk)")
    bm.set_node_provision_state(name, "provide", wait=True, timeout=120)
    bm.patch_node(name, [{"op": "add", "path": "/instance_info", "value": {
        "image_source": image.as_uri(), "image_os_hash_algo": "sha256",
        "image_os_hash_value": digest, "image_type": "whole-disk"}}])
    console = Path(node["node_dir"]) / "console.log"
    before = console.read_text(errors="replace").count(VM_MARKER)
    started = time.monotonic()
    _deploy_and_follow(bm, name, timeout=900, poll=1.0)
    step(f"{name}: active; waiting for the deployed disk to boot (marker on {console})")
    if wait_until(lambda: None if console.read_text(errors="replace").count(VM_MARKER)
                  > before else "no marker", 300, 1) is not None:
        raise DemoError(f"{name}: no {VM_MARKER!r} on the console in 300 s")
    print(f"    {name}: console says {VM_MARKER!r} "
          f"({time.monotonic() - started:.0f} s after the deploy request)")
    print_table(conn, state)


def introspect_all(conn, state: dict, timeout: float = 180) -> None:
    """``ironic-tripleo introspect --all --wait``, in this process; check the sizes."""
    step(f"introspect all nodes through Ironic (inspect interface discoverd at "
         f"{state['discoverd_url']}); each PXE-boots the discovery agent")
    bm = conn.baremetal
    nodes = introspect.select_nodes(bm, True, [])
    introspect.manage(bm, nodes, time.monotonic() + 60)
    introspect.start(bm, nodes)
    introspect.follow(bm, nodes, time.monotonic() + timeout, sys.stdout)
    rows = [("node", "state", "cpus", "memory_mb", "local_gb", "disk", "profile")]
    by_name = {n.name: n for n in nodes}
    for node in state["nodes"]:
        tracked = by_name[node["name"]]
        p = tracked.properties
        rows.append((node["name"], tracked.state, str(p.get("cpus", "-")),
                     str(p.get("memory_mb", "-")), str(p.get("local_gb", "-")),
                     f"{node['disk_gb']} GiB{' HDD' if node.get('disk_rotational') else ''}",
                     "(next step)"))
        if tracked.error:
            print(f"    {node['name']}: {tracked.error}")
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    failed = [n.name for n in nodes if n.failed]
    if failed:
        raise DemoError(f"introspection failed for {', '.join(failed)}")
    for node in state["nodes"]:
        props = by_name[node["name"]].properties
        if (props.get("cpus"), props.get("memory_mb")) != (node["cpus"], node["memory_mb"]):
            raise DemoError(f"{node['name']}: introspection found {props}, the lab "
                            f"declared cpus={node['cpus']} memory_mb={node['memory_mb']}")
    print("    every node reports its own declared hardware (console: "
          f"{state['nodes'][0]['node_dir']}/console.log)")


def print_table(conn, state: dict) -> None:
    """Print each node as Ironic and the lab see it."""
    rows = [("node", "uuid", "provision", "power", "boot device", "cpus/MiB/GB", "BMC")]
    for node in state["nodes"]:
        ironic = conn.baremetal.get_node(node["name"])
        boot = conn.baremetal.get_node_boot_device(node["name"])
        device = f"{boot['boot_device']}{'' if boot['persistent'] else ' (once)'}"
        rows.append((node["name"], ironic.id, ironic.provision_state,
                     ironic.power_state or "-", device,
                     f"{node['cpus']}/{node['memory_mb']}/{node['disk_gb']}",
                     f"{node['bmc']['address']}:{node['bmc']['port']}"))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def vm_lab_up(lab: Lab, args: argparse.Namespace) -> dict:
    """Build the ramdisk if ``--ramdisk-dir`` has none; bring up 2 VM nodes."""
    kernel, initramfs = ramdisk_files(args.ramdisk_dir)
    if not (kernel.exists() and initramfs.exists()):
        step(f"build the ramdisk into {args.ramdisk_dir} (Debian packages, cached base)")
        from ramdisk.image import build, spec  # the build tools, needed only here

        build.build(spec.BuildSpec(), args.ramdisk_dir)
    sizes = ", ".join(f"{s.name} {s.memory_mb} MiB" for s in DEMO_VMS)
    step(f"lab up: {len(DEMO_VMS)} qemu VMs ({sizes}), virtual BMC and Ironic in "
         f"{lab.workdir}")
    return lab.up(list(DEMO_VMS), subnet=args.subnet, node_kind="vm",
                  ramdisk=(kernel, initramfs), accel=args.accel)


def cmd_demo(args: argparse.Namespace) -> int:
    """The demo on the lab alone (``demo_command`` parses its arguments)."""
    # SIGTERM (a harness stopping us) cleans up like Ctrl-C does.
    signal.signal(signal.SIGTERM, _interrupt)
    lab = Lab(args.workdir)
    previous = lab.load()
    if previous and previous.get("state") != "down":
        step(f"a previous lab is still in {lab.workdir}: bringing it down first")
        lab.down()

    def body() -> None:
        if args.node_kind == "vm":
            state = vm_lab_up(lab, args)
        else:
            step(f"lab up: {len(DEMO_NODES)} virtual nodes, virtual BMC and Ironic in "
                 f"{lab.workdir}")
            state = lab.up(list(DEMO_NODES), subnet=args.subnet)
        print(f"    Ironic {state['ironic_url']}; discoverd {state['discoverd_url']}; "
              f"dnsmasq DHCP/TFTP and bridge {state['network']['bridge']} "
              f"{state['network']['host_address']}/{state['network']['prefixlen']}")
        run(args.workdir, args.subnet)

    return guarded(body, keep=args.keep,
                   kept=f"lab left up: 'ironic-tripleo lab down --workdir {lab.workdir}' "
                        "removes it",
                   teardown_step="lab down", teardown=lab.down)


def guarded(body: Callable[[], None], keep: bool, kept: str, teardown_step: str,
            teardown: Callable[[], None]) -> int:
    """Run a demo's ``body``, then take what it started down (unless ``keep`` and it
    succeeded: then say so with ``kept``), also on failure or Ctrl-C/SIGTERM.

    :returns: the exit code: 0, 1 (failed: logged) or 130 (interrupted).
    """
    code = 1
    try:
        body()
        step("demo finished")
        code = 0
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        code = 130
    except Exception as exc:
        LOG.exception("demo failed: %s", exc)
    finally:
        print_timings()
        if keep and code == 0:
            step(kept)
        else:
            step(teardown_step)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # let the clean-up finish
            try:
                teardown()
            finally:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
    return code


def _deploy_and_follow(bm: Any, name: str, timeout: float, poll: float) -> Any:
    """Deploy ``name`` (provision state ``active``), printing each state it passes.

    :returns: the node once ``active``.
    :raises DemoError: on ``deploy failed`` (with Ironic's last_error) or after
        ``timeout`` seconds.
    """
    started = time.monotonic()
    bm.set_node_provision_state(name, "active")
    seen: dict[str, Any] = {"state": None}

    def deployed() -> str | None:
        ironic = seen["node"] = bm.get_node(name)
        if ironic.provision_state != seen["state"]:
            print(f"    {time.monotonic() - started:5.1f}s {name}: {ironic.provision_state}",
                  flush=True)
            seen["state"] = ironic.provision_state
        if ironic.provision_state == "deploy failed":
            raise DemoError(f"{name}: deploy failed: {ironic.last_error}")
        return None if ironic.provision_state == "active" else ironic.provision_state

    still = wait_until(deployed, timeout, poll)
    if still is not None:
        raise DemoError(f"{name}: still {still} after {timeout:g} s")
    return seen["node"]
