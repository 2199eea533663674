"""oslo.config options of ironic_tripleo, one module per option group.

Every module exposes ``GROUP`` and ``opts`` and a ``register(conf)``; this package
registers them all on the global CONF that Ironic's conductor uses.
"""

from oslo_config import cfg

CONF = cfg.CONF


def register_all(conf: cfg.ConfigOpts = CONF) -> None:
    """Register every ironic_tripleo option group on ``conf`` (idempotent)."""
    from ironic_tripleo.conf import opts

    for group, options in opts.list_opts():
        conf.register_opts(options, group=group)
