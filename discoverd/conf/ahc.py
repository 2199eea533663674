"""[ahc]: role matching at introspection time (the ``ahc`` processing hook)."""

from oslo_config import cfg

GROUP = "ahc"

opts = [
    cfg.StrOpt("rules_dir",
               help="Directory of ahc role rules (a 'state' file with roles and "
                    "counts, <role>.specs, optional <role>.cmdb), used by the 'ahc' "
                    "processing hook. Required when 'ahc' is in [processing] hooks; "
                    "discoverd must be able to write there (lock, claims, cmdbs)."),
    cfg.FloatOpt("lock_timeout", default=60.0, min=1.0, max=3600.0,
                 help="Seconds the ahc hook waits for the rules directory lock "
                      "(shared with ahc-match) before the introspection fails."),
]
