"""Options of the ``ahc`` inspection hook for Ironic's built-in inspection (``[tripleo_ahc]``).

Defined once in :mod:`ahc_rules.hooks.options` (discoverd reads the same options
from ``[ahc]``); listed here for Ironic's sample configuration.
"""

from oslo_config import cfg

from ahc_rules.hooks.options import IRONIC_GROUP as GROUP
from ahc_rules.hooks.options import opts

__all__ = ["GROUP", "opts", "register"]


def register(conf: cfg.ConfigOpts) -> None:
    """Register this group's options on ``conf`` (idempotent)."""
    conf.register_opts(opts, group=GROUP)
