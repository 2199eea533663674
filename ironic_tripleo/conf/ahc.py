"""Options of the ``ahc`` inspection hook for Ironic's built-in inspection (``[tripleo_ahc]``).

The hook reads them from Ironic's CONF; the matching core takes plain arguments.
"""

from oslo_config import cfg

GROUP = "tripleo_ahc"

opts = [
    cfg.StrOpt(
        "rules_dir",
        help="Directory of ahc role rules: a 'state' file with roles and counts, "
             "<role>.specs and optional <role>.cmdb. Required when 'ahc' is in "
             "[inspector] hooks; the conductor must be able to write there (lock, "
             "claims, cmdbs). Share it between conductors (same path on shared "
             "storage) so that counts hold across them."),
    cfg.FloatOpt(
        "lock_timeout", default=60.0, min=1.0, max=3600.0,
        help="Seconds the hook waits for the rules directory lock (shared with "
             "ahc-match) before the inspection fails."),
]


def register(conf: cfg.ConfigOpts) -> None:
    """Register this group's options on ``conf`` (idempotent)."""
    conf.register_opts(opts, group=GROUP)
