"""Benchmark: image write over iSCSI (as the conductor does it) vs a local convert.

Two fresh namespaces joined by a veth pair, like the lab: the target side runs tgtd
(exporting sparse files), the conductor side runs the userspace initiator
(``ip netns exec NS qemu-img convert ... --target-image-opts driver=iscsi,...``, the
``iscsi`` deploy interface's writer). One mostly-random raw image is generated once
in a temp dir. Both sides run ``qemu-img convert`` with the writer's flags. Prints:
MB/s of the iSCSI write and of ``qemu-img convert`` to a local
file, their ratio (target >= 0.8), and for N parallel writes to N LUNs the total
MB/s and the peak RSS of the writer processes (sum over the qemu-img processes).
Figures only, no assertions. ``--size-mb`` (default 2048) and ``--parallel`` (4).
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from ironic_tripleo.deploy.writer import WRITE_FLAGS

MiB = 1024 * 1024
NET_T, NET_C = "203.0.113.2", "203.0.113.1"


def sh(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, timeout=60)


def make_image(path: Path, size_mb: int) -> None:
    """Mostly random data (what a real OS image compresses to), 1/16 zero blocks."""
    with open(path, "wb") as f:
        for i in range(size_mb):
            f.write(bytes(MiB) if i % 16 == 0 else os.urandom(MiB))


def watch_rss(stop: threading.Event, peak: list[int]) -> None:
    while not stop.is_set():
        total = 0
        for proc in psutil.process_iter(["name", "memory_info"]):
            if proc.info["name"] == "qemu-img" and proc.info["memory_info"]:
                total += proc.info["memory_info"].rss
        peak[0] = max(peak[0], total)
        stop.wait(0.1)


def timed(argvs: list[list[str]]) -> tuple[float, int]:
    """Run the commands in parallel; return (seconds, peak summed qemu-img RSS).

    Dirty pages left by the previous step are flushed first, so that neither side
    is timed while the kernel writes back the other's data.
    """
    os.sync()
    stop, peak = threading.Event(), [0]
    watcher = threading.Thread(target=watch_rss, args=(stop, peak), daemon=True)
    watcher.start()
    started = time.monotonic()
    procs = [subprocess.Popen(a, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for a in argvs]
    for proc in procs:
        _, err = proc.communicate(timeout=900)
        if proc.returncode != 0:
            raise SystemExit(f"writer failed: {err.decode()[-500:]}")
    seconds = time.monotonic() - started
    stop.set()
    watcher.join()
    return seconds, peak[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=2048)
    parser.add_argument("--parallel", type=int, default=4)
    args = parser.parse_args()
    suffix = secrets.token_hex(3)
    ns_t, ns_c = f"bd-{suffix}-t", f"bd-{suffix}-c"
    control = 20000 + secrets.randbelow(10000)
    tgtd = None
    with tempfile.TemporaryDirectory(prefix="bench-deploy-") as tmp:
        work = Path(tmp)
        image = work / "image.raw"
        t0 = time.monotonic()
        make_image(image, args.size_mb)
        print(f"image: {args.size_mb} MiB raw, 15/16 random ({time.monotonic() - t0:.1f}s "
              "to generate)")
        try:
            sh("ip", "netns", "add", ns_t)
            sh("ip", "netns", "add", ns_c)
            sh("ip", "link", "add", f"bd{suffix}t", "netns", ns_t, "type", "veth",
               "peer", "name", f"bd{suffix}c", "netns", ns_c)
            for ns, dev, addr in ((ns_t, f"bd{suffix}t", NET_T), (ns_c, f"bd{suffix}c", NET_C)):
                sh("ip", "-n", ns, "addr", "add", f"{addr}/30", "dev", dev)
                sh("ip", "-n", ns, "link", "set", dev, "up")
                sh("ip", "-n", ns, "link", "set", "lo", "up")
            tgtd = subprocess.Popen(["ip", "netns", "exec", ns_t, "tgtd", "-f", "-C",
                                     str(control), "--iscsi", f"portal={NET_T}:3260"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            iqns = []
            for tid in range(1, args.parallel + 1):
                lun = work / f"lun{tid}.img"
                with open(lun, "wb") as f:
                    f.truncate((args.size_mb + 64) * MiB)
                iqn = f"iqn.2026-11.org.openstack.ironic-tripleo:bench-{suffix}-{tid}"
                for attempt in range(50):
                    try:
                        sh("tgtadm", "-C", str(control), "--lld", "iscsi", "--op", "new",
                           "--mode", "target", "--tid", str(tid), "-T", iqn)
                        break
                    except subprocess.CalledProcessError:
                        if attempt == 49:
                            raise
                        time.sleep(0.1)
                sh("tgtadm", "-C", str(control), "--lld", "iscsi", "--op", "new", "--mode",
                   "logicalunit", "--tid", str(tid), "--lun", "1", "-b", str(lun))
                sh("tgtadm", "-C", str(control), "--lld", "iscsi", "--op", "bind", "--mode",
                   "target", "--tid", str(tid), "-I", "ALL")
                iqns.append(iqn)

            def iscsi_argv(iqn: str) -> list[str]:
                return ["ip", "netns", "exec", ns_c, "qemu-img", "convert", *WRITE_FLAGS,
                        "-n", "-f", "raw", "--target-image-opts", str(image),
                        f"driver=iscsi,transport=tcp,portal={NET_T}:3260,target={iqn},lun=1"]

            local = work / "local.raw"
            secs_local, rss_local = timed([["qemu-img", "convert", *WRITE_FLAGS, "-f", "raw",
                                            "-O", "raw", str(image), str(local)]])
            local.unlink()
            secs_iscsi, rss_one = timed([iscsi_argv(iqns[0])])
            mb = args.size_mb * MiB / 1e6
            print(f"local qemu-img convert: {mb / secs_local:7.1f} MB/s ({secs_local:.1f}s), "
                  f"qemu-img RSS {rss_local / MiB:.0f} MiB")
            print(f"iSCSI write (1):        {mb / secs_iscsi:7.1f} MB/s ({secs_iscsi:.1f}s), "
                  f"qemu-img RSS {rss_one / MiB:.0f} MiB")
            print(f"ratio iSCSI/local:      {secs_local / secs_iscsi:7.2f} (target >= 0.8)")
            secs_par, rss_par = timed([iscsi_argv(iqn) for iqn in iqns])
            print(f"iSCSI write ({args.parallel} parallel): {args.parallel * mb / secs_par:7.1f}"
                  f" MB/s total ({secs_par:.1f}s), peak RSS of the writers "
                  f"{rss_par / MiB:.0f} MiB")
        finally:
            if tgtd is not None:
                subprocess.run(["tgtadm", "-C", str(control), "--op", "delete", "--mode",
                                "system"], capture_output=True, timeout=30)
                try:
                    tgtd.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    tgtd.kill()
                    tgtd.wait(timeout=10)
            for ns in (ns_t, ns_c):
                subprocess.run(["ip", "netns", "delete", ns], capture_output=True, timeout=30)
            for path in (f"/run/tgtd/socket.{control}", f"/run/tgtd/socket.{control}.lock"):
                Path(path).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
