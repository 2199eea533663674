"""Write a verified local image into the exported LUN, then compare it back.

Two ways, same steps (wait for the target, refuse an image larger than the LUN,
write, compare):

- userspace: ``qemu-img`` with libiscsi; the CHAP secret goes in a 0600 file named
  by ``--object secret,...,file=`` and ``password-secret=``, never on a command line.
- kernel: open-iscsi login (``kernel_iscsi``), ``qemu-img`` to the block device,
  logout in ``finally``.

``WriteSlots`` bounds how many images one conductor writes at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import tenacity

from ironic_tripleo import command
from ironic_tripleo.deploy import image_info, initiator_netns, kernel_iscsi
from ironic_tripleo.deploy.target import SECRET_ID, Target
from ironic_tripleo.exception import (
    ImageWriteFailed,
    ISCSITargetUnavailable,
    WriteSlotTimeout,
)

LOG = logging.getLogger(__name__)

# Out-of-order writes: the target is a preallocated raw LUN or block device, where
# qemu-img may write in whatever order its requests complete (about twice the
# throughput over iSCSI here); the read-back compare checks the result anyway.
WRITE_FLAGS = ("-W",)


@contextlib.contextmanager
def secret_args(target: Target) -> Iterator[list[str]]:
    """Yield the ``--object secret`` arguments; the 0600 file is removed afterwards."""
    if not target.username:
        yield []
        return
    with tempfile.TemporaryDirectory(prefix="tripleo-chap-") as tmp:
        path = Path(tmp) / "secret"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(target.password or "")
        yield ["--object", f"secret,id={SECRET_ID},file={path},format=raw"]


def wait_for_target(target: Target, timeout: float = 60.0, interval: float = 0.5) -> int:
    """Log in (userspace) until the LUN answers; return its size in bytes.

    :raises ISCSITargetUnavailable: not reachable within ``timeout``, or CHAP refused
        (not retried).
    """
    started = time.monotonic()

    def probe() -> subprocess.CompletedProcess[str]:
        with secret_args(target) as secret:
            return command.run(initiator_netns.argv(target.netns, [
                "qemu-img", "info", "--output", "json", *secret, "--image-opts",
                target.image_opts()]), timeout=max(timeout - (time.monotonic() - started), 5.0))

    # Retried until the deadline, except a CHAP refusal; the last answer is kept.
    result = tenacity.Retrying(
        retry=tenacity.retry_if_result(
            lambda r: r.returncode != 0 and "Authentication failure" not in r.stderr),
        stop=tenacity.stop_after_delay(timeout), wait=tenacity.wait_fixed(interval),
        retry_error_callback=lambda state: state.outcome.result())(probe)
    if result.returncode == 0:
        return image_info.parse(result.stdout).virtual_size
    raise ISCSITargetUnavailable(iqn=target.iqn, portal=target.portal, seconds=timeout,
                                 reason=result.stderr.strip())


def _compare(src_opts: str, dst_opts: str, secret: list[str], timeout: float,
             netns: str | None = None) -> str | None:
    """Return None when both images read the same, else why not."""
    result = command.run(initiator_netns.argv(netns, [
        "qemu-img", "compare", *secret, "--image-opts", src_opts, dst_opts]), timeout)
    if result.returncode == 0:
        return None
    return (result.stdout + result.stderr).strip() or f"exit {result.returncode}"


def _source_opts(path: Path | str, fmt: str) -> str:
    return f"driver={fmt},file.driver=file,file.filename={path}"


PROGRESS_LOG_INTERVAL = 30.0  # seconds between progress lines of one write


def _run_watched(argv: list[str], timeout: float, stall_timeout: float,
                 interval: float = 0.2, label: str = "",
                 log_every: float | None = None) -> subprocess.CompletedProcess:
    """Run ``qemu-img convert -p``; log its progress every ``log_every`` seconds
    (``label`` says what is written); kill it when its progress stalls.

    When the target vanishes mid-write (the ramdisk died, the node lost power),
    libiscsi reconnects forever and qemu-img never returns: a write with no progress
    for ``stall_timeout`` seconds is killed (its TCP session closes with it). Returns
    ``returncode`` -9 and a ``stderr`` that says why in that case.
    """
    LOG.debug("running %s", " ".join(argv))
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=err)
        progress = {"text": "", "at": time.monotonic()}

        def read() -> None:
            assert proc.stdout is not None
            buf = b""
            while chunk := proc.stdout.read1(256):  # type: ignore[attr-defined]
                buf = (buf + chunk)[-64:]
                text = buf.replace(b"\r", b"\n").decode(errors="replace").split()
                if text and text[-1] != progress["text"]:
                    progress.update(text=text[-1], at=time.monotonic())

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        started, why = time.monotonic(), None
        logged = started
        if log_every is None:
            log_every = PROGRESS_LOG_INTERVAL
        while proc.poll() is None:
            now = time.monotonic()
            if now - logged >= log_every:
                LOG.info("%s: %s after %.0fs", label or argv[0], progress["text"] or "0%",
                         now - started)
                logged = now
            if now - progress["at"] > stall_timeout:
                why = (f"no progress for {stall_timeout:.0f}s at {progress['text'] or '0%'}: "
                       "the target stopped answering (deploy ramdisk gone?)")
            elif now - started > timeout:
                why = f"not finished after {timeout:.0f}s at {progress['text'] or '0%'}"
            if why:
                proc.kill()
                break
            time.sleep(interval)
        proc.wait()
        reader.join(timeout=5)
        proc.stdout.close()  # type: ignore[union-attr]
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    return subprocess.CompletedProcess(argv, proc.returncode, "",
                                       why if why else stderr)


def write_userspace(src: Path | str, info: image_info.ImageInfo, target: Target,
                    image: str, timeout: float = 7200.0, verify: bool = True,
                    stall_timeout: float = 300.0) -> None:
    """Write ``src`` (``info.format``) into the LUN with qemu-img/libiscsi; compare back.

    :param stall_timeout: seconds without write progress before the write is killed.
    :raises ImageWriteFailed: naming the target and qemu-img's message (or the stall).
    """
    with secret_args(target) as secret:
        result = _run_watched(initiator_netns.argv(target.netns, [
            "qemu-img", "convert", "-p", *WRITE_FLAGS, "-n", "-f", info.format, *secret,
            "--target-image-opts", str(src), target.image_opts()]), timeout, stall_timeout,
            label=f"writing {image} to {target.iqn}")
        if result.returncode != 0:
            raise ImageWriteFailed(image=image, iqn=target.iqn, portal=target.portal,
                                   reason=result.stderr.strip())
        if verify:
            differs = _compare(_source_opts(src, info.format),
                               target.image_opts(info.virtual_size), secret, timeout,
                               target.netns)
            if differs:
                raise ImageWriteFailed(image=image, iqn=target.iqn, portal=target.portal,
                                       reason=f"read-back differs: {differs}")


def write_to_device(src: Path | str, info: image_info.ImageInfo, device: str,
                    target: Target, image: str, timeout: float = 7200.0,
                    verify: bool = True) -> None:
    """Write ``src`` to a local block device (kernel initiator); compare back."""
    result = command.run(["qemu-img", "convert", *WRITE_FLAGS, "-n", "-f", info.format,
                          "-O", "raw", str(src), device], timeout)
    if result.returncode != 0:
        raise ImageWriteFailed(image=image, iqn=target.iqn, portal=target.portal,
                               reason=result.stderr.strip())
    if verify:
        differs = _compare(_source_opts(src, info.format),
                           f"driver=raw,size={info.virtual_size},file.driver=host_device,"
                           f"file.filename={device}", [], timeout)
        if differs:
            raise ImageWriteFailed(image=image, iqn=target.iqn, portal=target.portal,
                                   reason=f"read-back differs: {differs}")


def choose_mode(configured: str) -> str:
    """``auto`` -> ``kernel`` when open-iscsi can log in here, else ``userspace``."""
    if configured != "auto":
        return configured
    return "kernel" if kernel_iscsi.available() else "userspace"


def write_image(src: Path | str, info: image_info.ImageInfo, target: Target, image: str,
                mode: str = "auto", node: str = "?", target_timeout: float = 60.0,
                write_timeout: float = 7200.0, stall_timeout: float = 300.0) -> None:
    """Wait for the target, refuse an image larger than the LUN, write, compare.

    :raises ISCSITargetUnavailable, ImageTooLarge, ImageWriteFailed:
    """
    size = wait_for_target(target, target_timeout)
    image_info.check_fits(info, image, size, f"{target.iqn} lun {target.lun}", node)
    mode = "userspace" if target.netns and mode == "auto" else choose_mode(mode)
    LOG.info("node %s: writing %s (%s, %d bytes) to %s at %s (%s)", node, image,
             info.format, info.virtual_size, target.iqn, target.portal, mode)
    if mode == "kernel":
        with kernel_iscsi.session(target, target_timeout) as device:
            write_to_device(src, info, device, target, image, write_timeout)
    else:
        write_userspace(src, info, target, image, write_timeout,
                        stall_timeout=stall_timeout)


class WriteSlots:
    """At most ``limit`` image writes at once in this process."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._sem = threading.BoundedSemaphore(limit)

    @contextlib.contextmanager
    def slot(self, timeout: float) -> Iterator[None]:
        """:raises WriteSlotTimeout: no slot freed within ``timeout`` seconds."""
        if not self._sem.acquire(timeout=timeout):
            raise WriteSlotTimeout(seconds=timeout, limit=self.limit)
        try:
            yield
        finally:
            self._sem.release()
