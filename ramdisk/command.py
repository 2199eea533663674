"""The one way the node-side agent runs a command (tgtadm, ipmitool, poweroff ...).

:func:`run` captures text output and never raises: a command that cannot start comes
back with code :data:`NOT_RUN`, one that outlives its timeout is killed and comes back
with code :data:`KILLED`, each with a stderr that says so. :func:`check` turns a
failed result into :class:`~ramdisk.exception.CommandFailed`, naming the command, its
exit code and the tail of its stderr. ``shown`` is the argv as it may be logged and
put in errors (secrets masked). The conductor has its own runner
(``ironic_tripleo.command``): the agent ships in the ramdisk without ironic_tripleo.

Every part of the ramdisk deliverable runs its commands here: the agent, the image's
init (``boot.py``: with ``capture=False`` the output goes to the console, and the agent
itself runs with no timeout) and the image build (``image/command.py`` adds the
build's tool check and its ``CommandFailed``). A process watched while it runs (the
agent's tgtd, the image's cpio pipe) stays a ``Popen``.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from ramdisk.exception import CommandFailed

LOG = logging.getLogger(__name__)

#: Exit codes of a command killed at its timeout, and of one that could not start.
KILLED = -9
NOT_RUN = 127
TAIL_LINES = 6


def run(argv: Sequence[str], timeout: float | None, shown: Sequence[str] | None = None,
        *, cwd: Path | None = None, env: Mapping[str, str] | None = None,
        capture: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``argv``; see the module docstring for what a failure returns.

    :param timeout: seconds before it is killed; ``None``: no limit.
    :param cwd: its working directory; ``env``: its whole environment (else ours).
    :param capture: capture stdout/stderr; ``False``: they are ours (the console),
        and the result's are empty.
    """
    argv = list(argv)
    name = " ".join(shown if shown is not None else argv)
    LOG.debug("running %s", name)
    try:
        return subprocess.run(argv, capture_output=capture, text=True, timeout=timeout,
                              check=False, errors="replace", cwd=cwd,
                              env=dict(env) if env is not None else None)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(
            argv, KILLED, "", f"{argv[0]} gave no answer within {timeout:g}s and was killed")
    except OSError as exc:
        return subprocess.CompletedProcess(argv, NOT_RUN, "", f"cannot run {argv[0]}: {exc}")


def tail(result: subprocess.CompletedProcess[str]) -> str:
    """The last lines of the result's stderr (or stdout), joined with `` | ``."""
    text = (result.stderr or result.stdout or "").strip()
    return " | ".join(text.splitlines()[-TAIL_LINES:]) or "no output"


def check(result: subprocess.CompletedProcess[str], shown: Sequence[str] | None = None,
          failure: type[CommandFailed] = CommandFailed) -> str:
    """Return the result's stdout.

    :param failure: the ``CommandFailed`` subclass to raise (the image build's).
    :raises CommandFailed: it exited non-zero, could not start or was killed.
    """
    if result.returncode != 0:
        outcome = {KILLED: "was killed at its timeout",
                   NOT_RUN: "could not be started"}.get(result.returncode,
                                                         f"exited {result.returncode}")
        command = " ".join(shown if shown is not None else result.args)
        raise failure(command=command, outcome=outcome, tail=tail(result))
    return result.stdout
