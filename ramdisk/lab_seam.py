"""The agent's lab-only seams, in one place, inert unless the lab says so.

A namespace node of the lab (``ironic_tripleo.lab``) is a process on the host: it sees
the host's CPUs, memory and disks. Two seams let it describe the node it plays:

- the hardware overlay named by ``tripleo-lab-hardware=`` on the kernel command line
  (``collectors/lab_overlay.py``: declared cpus, memory and disk files), read by the
  discovery and the deploy modes;
- the deploy agent's ``--disk PATH`` (a file offered as the root disk).

Both are honoured only when the agent's environment has ``IRONIC_TRIPLEO_LAB_NODE=1``,
which the lab's firmware emulation sets when it starts the agent. Nothing else sets it:
the built image's init (``ramdisk.boot``) starts the agent with the variable removed
(the kernel hands unknown ``NAME=value`` command line words to init as environment),
so on a real machine or a VM both seams are inert, and a stray parameter is logged and
ignored.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

LOG = logging.getLogger(__name__)

ENV = "IRONIC_TRIPLEO_LAB_NODE"


def enabled(environ: Mapping[str, str] | None = None) -> bool:
    """True when the lab started this agent (``IRONIC_TRIPLEO_LAB_NODE=1``)."""
    return (os.environ if environ is None else environ).get(ENV) == "1"


def hardware_overlay(path: str | None, environ: Mapping[str, str] | None = None
                     ) -> str | None:
    """Return the overlay path to honour: ``path`` on a lab node, else None."""
    if path and not enabled(environ):
        LOG.warning("ignoring tripleo-lab-hardware=%s: lab-only, and %s is not set",
                    path, ENV)
        return None
    return path or None


def disks(paths: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    """Return the ``--disk`` paths to honour: ``paths`` on a lab node, else none."""
    if paths and not enabled(environ):
        LOG.warning("ignoring --disk %s: lab-only, and %s is not set", " ".join(paths), ENV)
        return []
    return list(paths)


def agent_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment to start the agent with outside the lab: the marker removed."""
    env = dict(os.environ if environ is None else environ)
    env.pop(ENV, None)
    return env
