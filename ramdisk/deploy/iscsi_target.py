"""tgtd/tgtadm: one iSCSI target exporting a block device (or a file) with CHAP.

``TargetDaemon`` starts ``tgtd`` in the foreground on one portal with its own control
port (``-C N``, a UNIX socket ``/run/tgtd/socket.N``), so that several daemons can run
on one machine (the lab, the tests). ``export``/``unexport`` create and delete one
target with one LUN, an incoming CHAP account bound to it, and an initiator ACL.

tgtd ignores SIGTERM: it is stopped with ``tgtadm --op delete --mode system`` after its
targets are deleted with ``--force``; SIGKILL is the fallback.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import random
import signal
import subprocess
import tempfile
from collections.abc import Sequence

import tenacity

from ramdisk import command
from ramdisk.deploy.exception import TargetDaemonError, TargetError
from ramdisk.exception import CommandFailed

LOG = logging.getLogger(__name__)

SOCKET_DIR = "/run/tgtd"
LUN = 1
TID = 1


def socket_paths(control_port: int, socket_dir: str = SOCKET_DIR) -> tuple[str, str]:
    """Return the control socket of ``tgtd -C control_port`` and its lock file."""
    base = os.path.join(socket_dir, f"socket.{control_port}")
    return base, base + ".lock"


def free_control_port(socket_dir: str = SOCKET_DIR, rng: random.Random | None = None) -> int:
    """Return a control port whose socket does not exist yet (1000-32767: a C short)."""
    rng = rng or random.SystemRandom()
    for _ in range(1000):
        port = rng.randint(1000, 32767)
        if not any(os.path.exists(p) for p in socket_paths(port, socket_dir)):
            return port
    raise TargetDaemonError(portal="-", control_port="?", reason="no free control port")


@dataclasses.dataclass(frozen=True)
class Export:
    """What one target exports and to whom.

    :param iqn: the target name, fresh for each deploy.
    :param backing: block device or file behind LUN 1.
    :param username: incoming CHAP user (None: no authentication).
    :param password: incoming CHAP secret (12-16 characters for most initiators).
    :param initiator: ``ALL`` or an initiator address allowed to connect.
    """

    iqn: str
    backing: str
    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)
    initiator: str = "ALL"


def export_commands(export: Export, tid: int = TID) -> list[list[str]]:
    """Return the ``tgtadm`` argument lists (without ``tgtadm -C N``) for ``export``."""
    base = ["--lld", "iscsi", "--mode"]
    cmds = [
        [*base, "target", "--op", "new", "--tid", str(tid), "-T", export.iqn],
        [*base, "logicalunit", "--op", "new", "--tid", str(tid), "--lun", str(LUN),
         "-b", export.backing],
    ]
    if export.username:
        if not export.password:
            raise TargetError(iqn=export.iqn, action="CHAP set-up",
                              reason="a CHAP user needs a password")
        cmds += [
            [*base, "account", "--op", "new", "--user", export.username,
             "--password", export.password],
            [*base, "account", "--op", "bind", "--tid", str(tid), "--user", export.username],
        ]
    cmds.append([*base, "target", "--op", "bind", "--tid", str(tid), "-I", export.initiator])
    return cmds


def unexport_commands(export: Export, tid: int = TID) -> list[list[str]]:
    """Return the ``tgtadm`` argument lists that undo ``export_commands``."""
    base = ["--lld", "iscsi", "--mode"]
    cmds = [[*base, "target", "--op", "delete", "--force", "--tid", str(tid)]]
    if export.username:
        cmds.append([*base, "account", "--op", "delete", "--user", export.username])
    return cmds


def _masked(argv: Sequence[str]) -> list[str]:
    out = list(argv)
    for i, word in enumerate(out[:-1]):
        if word == "--password":
            out[i + 1] = "***"
    return out


class TargetDaemon:
    """One ``tgtd`` process on ``portal_host:portal_port`` with control port ``control_port``.

    :param portal_host: address to listen on (the node's provisioning address).
    :param portal_port: iSCSI port (3260 on a real node).
    :param control_port: ``tgtd -C`` value; a free one is chosen when None.
    """

    def __init__(self, portal_host: str, portal_port: int = 3260,
                 control_port: int | None = None, socket_dir: str = SOCKET_DIR) -> None:
        self.portal_host = portal_host
        self.portal_port = portal_port
        self.socket_dir = socket_dir
        self.control_port = control_port if control_port is not None else free_control_port(
            socket_dir)
        self.proc: subprocess.Popen | None = None
        self._log = None
        self.exports: dict[int, Export] = {}

    @property
    def portal(self) -> str:
        return f"{self.portal_host}:{self.portal_port}"

    def _error(self, reason: str) -> TargetDaemonError:
        return TargetDaemonError(portal=self.portal, control_port=self.control_port,
                                 reason=reason)

    def tgtadm(self, args: Sequence[str], timeout: float = 30.0) -> str:
        """Run ``tgtadm -C N ARGS``; return its output.

        :raises TargetDaemonError: when it fails (the message masks passwords).
        """
        argv = ["tgtadm", "-C", str(self.control_port), *args]
        shown = _masked(argv)
        try:
            return command.check(command.run(argv, timeout, shown), shown)
        except CommandFailed as exc:
            raise self._error(str(exc)) from None

    def start(self, timeout: float = 10.0) -> None:
        """Start tgtd and wait until it answers on its control socket.

        :raises TargetDaemonError: when it exits or does not answer in ``timeout``.
        """
        argv = ["tgtd", "-f", "-C", str(self.control_port), "--iscsi",
                f"portal={self.portal}"]
        LOG.info("starting %s", " ".join(argv))
        # a file, not a pipe: a chatty tgtd must never block on a full pipe
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        try:
            self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=self._log,
                                         start_new_session=True)
        except OSError as exc:
            self._log.close()
            raise self._error(f"cannot run tgtd: {exc}") from exc
        try:
            tenacity.Retrying(
                retry=tenacity.retry_if_exception(
                    lambda exc: isinstance(exc, TargetDaemonError) and self.proc is not None),
                stop=tenacity.stop_after_delay(timeout), wait=tenacity.wait_fixed(0.1),
                reraise=True)(self._answers)
        except TargetDaemonError as exc:
            if self.proc is None:  # it exited: _answers says so
                raise
            self.stop()
            raise self._error(f"tgtd did not answer within {timeout}s: {exc}") from exc

    def _answers(self) -> None:
        """One start-up probe; :raises TargetDaemonError: not answering yet, or exited
        (then ``proc`` is None and the message has its stderr)."""
        if self.proc is None or self._log is None:
            raise self._error("tgtd is not started")
        if self.proc.poll() is not None:
            self._log.seek(0)
            err = self._log.read().decode(errors="replace")
            self._log.close()
            self._log, self.proc = None, None  # its sockets may be another tgtd's
            raise self._error(f"tgtd exited at start: {err.strip()}")
        self.tgtadm(["--op", "show", "--mode", "sys"], timeout=5)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def export(self, export: Export, tid: int = TID) -> None:
        """Create target ``tid`` for ``export``; undo what was done when a step fails.

        :raises TargetError: naming the IQN and the failing step.
        """
        try:
            for args in export_commands(export, tid):
                self.tgtadm(args)
        except TargetDaemonError as exc:
            self._undo(export, tid)
            raise TargetError(iqn=export.iqn, action="export", reason=str(exc)) from exc
        self.exports[tid] = export
        LOG.info("exported %s as %s (LUN %d) on %s to %s, CHAP %s", export.backing,
                 export.iqn, LUN, self.portal, export.initiator,
                 "on" if export.username else "off")

    def _undo(self, export: Export, tid: int) -> None:
        for args in unexport_commands(export, tid):
            try:
                self.tgtadm(args)
            except TargetDaemonError as exc:
                LOG.debug("ignored while undoing: %s", exc)

    def unexport(self, tid: int = TID) -> None:
        """Delete target ``tid`` (with ``--force``: sessions are dropped) and its account."""
        export = self.exports.pop(tid, None)
        if export is not None:
            self._undo(export, tid)
            LOG.info("target %s removed", export.iqn)

    def stop(self, timeout: float = 5.0) -> None:
        """Delete every target, shut tgtd down; SIGKILL after ``timeout``. Idempotent."""
        for tid in list(self.exports):
            self.unexport(tid)
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            try:
                self.tgtadm(["--op", "delete", "--mode", "system"], timeout=timeout)
            except TargetDaemonError as exc:
                LOG.warning("%s", exc)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                LOG.warning("tgtd (pid %s) did not exit; killing it", proc.pid)
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=timeout)
        if self._log is not None:
            self._log.close()
            self._log = None
        if proc is not None:
            for path in socket_paths(self.control_port, self.socket_dir):
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    pass
