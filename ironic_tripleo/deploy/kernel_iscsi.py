"""The kernel initiator (open-iscsi): discovery, CHAP, login, device, logout.

Used where the ``iscsi_tcp`` module is loaded. ``session()`` always logs out and
deletes the node record, even when the write failed. iscsiadm takes the CHAP secret
as an argument of ``-o update``: it is never logged, and the record is deleted after.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Iterator

import tenacity

from ironic_tripleo import command
from ironic_tripleo.deploy.target import Target
from ironic_tripleo.exception import ISCSITargetUnavailable

LOG = logging.getLogger(__name__)
BY_PATH = "/dev/disk/by-path"


def available(sys_module: str = "/sys/module/iscsi_tcp") -> bool:
    """Whether open-iscsi can log in here (module loaded and iscsiadm installed)."""
    return os.path.isdir(sys_module) and shutil.which("iscsiadm") is not None


def device_path(target: Target) -> str:
    """The udev by-path link of the LUN once logged in."""
    return f"{BY_PATH}/ip-{target.portal}-iscsi-{target.iqn}-lun-{target.lun}"


def node_commands(target: Target) -> dict[str, list[list[str]]]:
    """The iscsiadm argument lists of each step (``login`` includes the CHAP set-up)."""
    node = ["iscsiadm", "-m", "node", "-p", target.portal, "-T", target.iqn]
    login = []
    if target.username:
        for name, value in (("node.session.auth.authmethod", "CHAP"),
                            ("node.session.auth.username", target.username),
                            ("node.session.auth.password", target.password or "")):
            login.append([*node, "-o", "update", "-n", name, "-v", value])
    login.append([*node, "--login"])
    return {
        "discover": [["iscsiadm", "-m", "discovery", "-t", "sendtargets", "-p",
                      target.portal]],
        "login": login,
        "logout": [[*node, "--logout"], [*node, "-o", "delete"]],
    }


def masked(argv: list[str]) -> list[str]:
    """``argv`` with the value of an ``-n ...password -v VALUE`` pair replaced."""
    shown = list(argv)
    for i in range(3, len(shown)):
        if shown[i - 1] == "-v" and "password" in shown[i - 2]:
            shown[i] = "***"
    return shown


@contextlib.contextmanager
def session(target: Target, timeout: float = 60.0) -> Iterator[str]:
    """Log in to ``target``; yield its block device; always log out.

    :raises ISCSITargetUnavailable: discovery, login or the device did not appear.
    """
    steps = node_commands(target)

    def fail(reason: str) -> ISCSITargetUnavailable:
        return ISCSITargetUnavailable(iqn=target.iqn, portal=target.portal, seconds=timeout,
                                      reason=reason)

    try:
        for argv in steps["discover"] + steps["login"]:
            result = command.run(argv, timeout, shown=masked(argv))
            if result.returncode != 0:
                raise fail(f"{argv[1:3]} {argv[-1] if argv[-1] == '--login' else ''}: "
                           f"{result.stderr.strip()}")
        device = device_path(target)
        appeared = tenacity.Retrying(retry=tenacity.retry_if_result(lambda found: not found),
                                     stop=tenacity.stop_after_delay(timeout),
                                     wait=tenacity.wait_fixed(0.2),
                                     retry_error_callback=lambda state: False)
        if not appeared(os.path.exists, device):
            raise fail(f"{device} did not appear after login")
        yield os.path.realpath(device)
    finally:
        for argv in steps["logout"]:
            result = command.run(argv, timeout, shown=masked(argv))
            if result.returncode != 0:
                LOG.debug("iscsiadm %s: %s", argv[-1], result.stderr.strip())
