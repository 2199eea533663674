"""One undercloud process: start it in its own process group, wait until it answers,
find it again by pid, measure it, stop it.

Built on :mod:`ironic_tripleo.lab.process` (pid checks, group stop); every wait goes
through :func:`ironic_tripleo.lab.readiness.wait_until`. A process that exits while it
is awaited fails at once with the end of its log.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import requests

from ironic_tripleo.lab import process
from ironic_tripleo.lab.exception import UndercloudError
from ironic_tripleo.lab.readiness import wait_until

LOG = logging.getLogger(__name__)


@dataclasses.dataclass
class Proc:
    """How to run one undercloud process.

    :param name: unique in the undercloud (``nova-api``, ``nova-compute-fake1``).
    :param argv: the command line.
    :param ready: returns True once the process serves; None: alive is enough.
    :param env: extra environment variables.
    :param logs: log files (names under the log directory) shown when it fails.
    :param marker: a string in the argv of the process or of a member of its group
        that tells it from a stranger with a reused pid (default: the undercloud's
        directory, which every configuration path contains).
    """

    name: str
    argv: list[str]
    ready: Callable[[], bool] | None = None
    env: dict[str, str] = dataclasses.field(default_factory=dict)
    logs: tuple[str, ...] = ()
    marker: str = ""


def http_ready(url: str, ok: tuple[int, ...] = (200, 300, 401)) -> Callable[[], bool]:
    """A ``ready`` check: ``GET url`` answers one of ``ok``."""
    def check() -> bool:
        try:
            return requests.get(url, timeout=2).status_code in ok
        except requests.RequestException:
            return False
    return check


def tcp_ready(port: int) -> Callable[[], bool]:
    """A ``ready`` check: something accepts on 127.0.0.1:``port``."""
    def check() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False
    return check


def port_taken(port: int) -> bool:
    """Whether 127.0.0.1:``port`` cannot be bound (someone listens there)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def start(proc: Proc, logdir: Path) -> int:
    """Start ``proc`` in a new session (its pid is its group); return the pid."""
    logdir.mkdir(parents=True, exist_ok=True)
    with open(logdir / f"{proc.name}.stderr", "ab") as stderr:
        child = subprocess.Popen(proc.argv, stdin=subprocess.DEVNULL, stdout=stderr,
                                 stderr=stderr, env=dict(os.environ, **proc.env),
                                 cwd=logdir, start_new_session=True)
    LOG.info("%s started (pid %s)", proc.name, child.pid)
    return child.pid


def wait_ready(proc: Proc, pid: int, logdir: Path, timeout: float) -> None:
    """Wait until ``proc`` answers.

    :raises UndercloudError: it exited, or did not answer within ``timeout`` s; the
        message carries the end of its logs.
    """
    def silent() -> str | None:
        if not process.is_alive(pid):
            raise UndercloudError(reason=f"{proc.name} exited while starting:\n"
                                         f"{tail(proc, logdir)}")
        return None if proc.ready is None or proc.ready() else "no answer"

    if wait_until(silent, timeout, interval=0.3) is not None:
        raise UndercloudError(reason=f"{proc.name} did not answer within {timeout:.0f}s:\n"
                                     f"{tail(proc, logdir)}")


def tail(proc: Proc, logdir: Path) -> str:
    """The end of ``proc``'s stderr and log files."""
    return process.log_tail(logdir, (f"{proc.name}.stderr", *proc.logs), lines=15)


def rss_kib(pgid: int) -> int:
    """Resident memory of the live members of process group ``pgid``, in KiB."""
    total = 0
    for pid in process.group_members(pgid):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def running(pid: int | None, marker: str) -> bool:
    """Whether ``pid``'s group still runs the process whose argv holds ``marker``."""
    return process.runs(pid, marker)


def stop(name: str, pid: int | None, marker: str, timeout: float = 10.0) -> bool:
    """Stop ``pid``'s group if it still runs ``marker`` (never a reused pid)."""
    if not running(pid, marker):
        return False
    LOG.info("stopping %s (pid %s)", name, pid)
    return process.stop_group(pid, timeout)


def run_step(argv: list[str], what: str, env: dict[str, str] | None = None,
             timeout: float = 300) -> None:
    """Run one set-up command (``db_sync`` ...) to its end.

    :raises UndercloudError: it failed; the message has the end of its output.
    """
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                            env=dict(os.environ, **(env or {})), stdin=subprocess.DEVNULL)
    if result.returncode:
        out = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise UndercloudError(reason=f"{what} failed (exit {result.returncode}):\n{out}")


def program(plan_venv: Path, name: str, script: str, args: list[str],
            logs: tuple[str, ...] = ()) -> Proc:
    """One of the venv's console scripts (``nova-conductor``...) run by
    ``program_runner.py``, which prepares the process first (``sqlite_immediate``)."""
    runner = Path(__file__).with_name("program_runner.py")
    return Proc(name, [str(plan_venv / "bin" / "python"), str(runner),
                       str(plan_venv / "bin" / script), *args], logs=logs)


def wsgi(plan_venv: Path, name: str, app: str, port: int, marker: str,
         env: dict[str, str] | None = None, args: str = "",
         ready: Callable[[], bool] | None = None, logs: tuple[str, ...] = ()) -> Proc:
    """A WSGI API served by ``wsgi_runner.py`` (run by ``program_runner.py``) with the
    undercloud venv's python.

    ``marker`` goes on the command line (the runner ignores it) so the process can
    be told from a stranger that reused its pid.
    """
    here = Path(__file__).parent
    return Proc(name, [str(plan_venv / "bin" / "python"), str(here / "program_runner.py"),
                       str(here.parent / "wsgi_runner.py"), name, marker],
                ready=ready, logs=logs,
                env={"UC_WSGI_APP": app, "UC_WSGI_PORT": str(port), "UC_WSGI_ARGS": args,
                     **(env or {})})
