"""[processing]: the hooks pipeline run on ramdisk data.

Each hook's own options live in the hook's group (``discoverd.hooks.base``).
"""

from oslo_config import cfg

GROUP = "processing"

DEFAULT_HOOKS = ["ramdisk_error", "root_disk_selection", "scheduler",
                 "validate_interfaces", "ports", "lldp_basic", "local_link_connection",
                 "physnet_cidr_map", "capabilities", "extra_hardware"]

opts = [
    cfg.ListOpt("hooks", default=DEFAULT_HOOKS,
                help="Processing hooks (entry points in the 'discoverd.hooks' "
                     "namespace), run in this order. A hook's dependencies must "
                     "come before it."),
    cfg.BoolOpt("store_data", default=True,
                help="Keep raw and processed introspection data in discoverd's "
                     "database (GET /v1/introspection/<node>/data)."),
    cfg.IntOpt("lease_time", default=15, min=1,
               help="Seconds after which ramdisk data being processed by a discoverd "
                    "process that stopped renewing its lease (it died) is taken over "
                    "and processed again by any discoverd process on the same database. "
                    "Leases are renewed every third of this time."),
]
