"""The options of the ``ahc`` hook, defined once for both services that run it.

discoverd reads them from ``[ahc]`` (:data:`DISCOVERD_GROUP`), Ironic's built-in
inspection from ``[tripleo_ahc]`` (:data:`IRONIC_GROUP`: a group of Ironic's own
configuration file, hence the prefix). The matching core takes plain arguments.
"""

from oslo_config import cfg

DISCOVERD_GROUP = "ahc"
IRONIC_GROUP = "tripleo_ahc"

opts = [
    cfg.StrOpt(
        "rules_dir",
        help="Directory of ahc role rules: a 'state' file with roles and counts, "
             "<role>.specs and optional <role>.cmdb. Required when 'ahc' is in the "
             "service's hooks (discoverd: [processing] hooks; Ironic: [inspector] "
             "hooks); the service must be able to write there (lock, claims, cmdbs). "
             "Share it between services (same path on shared storage) so that counts "
             "hold across them."),
    cfg.FloatOpt(
        "lock_timeout", default=60.0, min=1.0, max=3600.0,
        help="Seconds the hook waits for the rules directory lock (shared with "
             "ahc-match) before the introspection fails."),
]
