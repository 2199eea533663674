"""The conductor side's lab-only seams, in one place, inert unless the lab says so.

The lab (``ironic_tripleo.lab``) runs a real Ironic and a virtual BMC on one host.
Two code paths of the product exist only for it:

- the conductor's data plane in a named network namespace (``[tripleo_deploy]
  initiator_netns``, ``deploy/initiator_netns.py``: ``setns(2)`` inside the conductor
  and ``ip netns exec`` for the writer), because on this host no client in the host
  namespace may connect to a node namespace's address;
- the virtual BMC backends that drive the lab's own nodes (``lab``: namespace nodes,
  ``vm``: qemu VMs; ``ironic_tripleo.vbmc.backends`` entry points into the lab).

Both are honoured only when the process has ``IRONIC_TRIPLEO_LAB=1`` in its
environment, which the lab sets when it starts Ironic (``lab/ironic_service.py``,
``lab/ironic_cluster.py``) and the virtual BMC (``lab/bmc_process.py``); see
:func:`lab_environment`. Nothing else sets it, so in production ``initiator_netns``
is ignored with a warning (the conductor's own namespace is used) and a vBMC config
naming a lab backend is refused. The agent's seams are ``ramdisk/lab_seam.py``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

LOG = logging.getLogger(__name__)

ENV = "IRONIC_TRIPLEO_LAB"
#: ``ironic_tripleo.vbmc.backends`` entry points that drive the lab's own nodes.
LAB_BACKENDS = frozenset({"lab", "vm"})


def enabled(environ: Mapping[str, str] | None = None) -> bool:
    """True when the lab started this process (``IRONIC_TRIPLEO_LAB=1``)."""
    return (os.environ if environ is None else environ).get(ENV) == "1"


def lab_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment the lab starts Ironic and the virtual BMC with: the seam on."""
    return dict(os.environ if environ is None else environ) | {ENV: "1"}


def initiator_netns(configured: str | None,
                    environ: Mapping[str, str] | None = None) -> str | None:
    """The namespace the conductor's data plane starts from: ``configured`` in the
    lab, else None (the conductor's own namespace; a configured one is logged)."""
    if configured and not enabled(environ):
        LOG.warning("ignoring [tripleo_deploy] initiator_netns=%s: lab-only, and %s is "
                    "not set; the conductor's own namespace is used", configured, ENV)
        return None
    return configured or None


def backend_allowed(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """Whether the virtual BMC may load backend ``name`` (a lab one only in the lab)."""
    return name not in LAB_BACKENDS or enabled(environ)
