"""oslo.config options of discoverd, one module per option group.

Every module exposes ``GROUP`` and ``opts``. Library code takes plain arguments;
only the service edge (``app``, ``cmd``, ``server``) reads a ``ConfigOpts``.
"""

from collections.abc import Sequence

from oslo_config import cfg


def register_all(conf: cfg.ConfigOpts) -> cfg.ConfigOpts:
    """Register every discoverd option group on ``conf`` (idempotent); return it."""
    from discoverd.conf import opts

    for group, options in opts.list_opts():
        conf.register_opts(options, group=None if group == "DEFAULT" else group)
    return conf


def new_conf(args: Sequence[str] = (), default_config_files: Sequence[str] = ()
             ) -> cfg.ConfigOpts:
    """Return a fresh, parsed ``ConfigOpts`` with all discoverd options.

    :param args: command line arguments (``--config-file`` ...).
    :param default_config_files: config files read when none is given in ``args``.
    """
    conf = register_all(cfg.ConfigOpts())
    conf(list(args), project="discoverd", default_config_files=list(default_config_files))
    return conf
