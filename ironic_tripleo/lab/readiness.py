"""The lab's one wait: poll a probe until it reports ready (tenacity).

A probe returns ``None`` when what it checks is ready (a service answers, a process
group is gone) and otherwise a short reason why not; it raises its caller's error
itself when waiting longer is pointless (the process exited). :func:`wait_until`
returns ``None`` once ready, or the last reason when ``timeout`` has passed, for the
caller's error to name. Every wait of the lab goes through it: its services (Ironic
and a cluster's conductors, discoverd, dnsmasq, the HTTP server, the vBMC, a VM's
QMP socket), the undercloud's processes and Nova's computes, Placement's inventory
for the overcloud, and processes stopping.
"""

from __future__ import annotations

from collections.abc import Callable

import tenacity


def wait_until(probe: Callable[[], str | None], timeout: float,
               interval: float = 0.1) -> str | None:
    """Call ``probe`` every ``interval`` seconds until it returns ``None``.

    :returns: ``None`` (ready) or the probe's last reason after ``timeout`` seconds.
    """
    retrying = tenacity.Retrying(stop=tenacity.stop_after_delay(timeout),
                                 wait=tenacity.wait_fixed(interval),
                                 retry=tenacity.retry_if_result(lambda r: r is not None),
                                 retry_error_callback=lambda state: state.outcome.result())
    return retrying(probe)
