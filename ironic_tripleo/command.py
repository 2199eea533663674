"""The one way conductor-side code runs a host command (qemu-img, iscsiadm, parted ...).

:func:`run` captures text output, never raises for an exit status and never waits
past its timeout: a command that outlives it is killed and comes back as a failed
result (code :data:`KILLED`) whose stderr says so (an unreachable iSCSI portal makes
libiscsi wait for minutes). :func:`check` turns a failed result into
:class:`~ironic_tripleo.exception.CommandFailed`, naming the command, its exit code
and the tail of its stderr; callers with their own error type wrap that message.
Secrets are kept out of logs and errors by ``shown``, the argv as it may be printed.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Sequence
from pathlib import Path

from ironic_tripleo.exception import CommandFailed

LOG = logging.getLogger(__name__)

#: The exit code reported for a command killed at its timeout (as if by SIGKILL).
KILLED = -9
#: How many stderr lines an error keeps.
TAIL_LINES = 6


def program(argv: Sequence[str]) -> str:
    """What to call the command in messages: the program (and a qemu-img sub-command)
    after a wrapper (``ip netns exec NS``, ``prlimit ... --``)."""
    words = [str(word) for word in argv]
    if words[:3] == ["ip", "netns", "exec"]:
        words = words[4:]
    elif words[:1] == ["prlimit"] and "--" in words:
        words = words[words.index("--") + 1:]
    name = Path(words[0]).name if words else "?"
    return f"{name} {words[1]}" if name == "qemu-img" and len(words) > 1 else name


def run(argv: Sequence[str], timeout: float, shown: Sequence[str] | None = None,
        ) -> subprocess.CompletedProcess[str]:
    """Run ``argv``; return its result, a killed command's as code :data:`KILLED`.

    :param timeout: seconds before the command is killed.
    :param shown: ``argv`` as it may be logged (secrets masked); default ``argv``.
    """
    argv = list(argv)
    LOG.debug("running %s", " ".join(shown if shown is not None else argv))
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                              check=False, errors="replace")
    except subprocess.TimeoutExpired as exc:
        stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else ""
        return subprocess.CompletedProcess(
            argv, KILLED, stdout="",
            stderr=f"{stderr}{program(argv)} gave no answer within {_seconds(timeout)}s "
                   f"and was killed")


def _seconds(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.2g}"


def tail(result: subprocess.CompletedProcess[str]) -> str:
    """The last lines of the result's stderr (or stdout), joined with `` | ``."""
    text = (result.stderr or result.stdout or "").strip()
    return " | ".join(text.splitlines()[-TAIL_LINES:]) or "no output"


def check(result: subprocess.CompletedProcess[str]) -> str:
    """Return the result's stdout.

    :raises CommandFailed: it exited non-zero or was killed.
    """
    if result.returncode != 0:
        outcome = ("was killed at its timeout" if result.returncode == KILLED
                   else f"exited {result.returncode}")
        raise CommandFailed(command=program(result.args), outcome=outcome, tail=tail(result))
    return result.stdout


def run_checked(argv: Sequence[str], timeout: float,
                shown: Sequence[str] | None = None) -> str:
    """:func:`run` then :func:`check`: return stdout or raise ``CommandFailed``."""
    return check(run(argv, timeout, shown))
