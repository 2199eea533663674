"""[processing]: the hooks pipeline run on ramdisk data."""

from oslo_config import cfg

GROUP = "processing"

DEFAULT_HOOKS = ["ramdisk_error", "root_disk_selection", "scheduler",
                 "validate_interfaces", "ports", "capabilities", "extra_hardware"]

opts = [
    cfg.ListOpt("hooks", default=DEFAULT_HOOKS,
                help="Processing hooks (entry points in the 'discoverd.hooks' "
                     "namespace), run in this order. A hook's dependencies must "
                     "come before it."),
    cfg.StrOpt("add_ports", default="pxe", choices=["pxe", "all", "active"],
               help="Which interfaces become Ironic ports: only the PXE boot "
                    "interface, all of them, or those with an IP address."),
    cfg.StrOpt("keep_ports", default="all", choices=["all", "present", "added"],
               help="Which existing ports to keep: all, those whose MAC the ramdisk "
                    "saw, or only those added by this introspection."),
    cfg.BoolOpt("update_pxe_enabled", default=True,
                help="Set pxe_enabled on the boot interface's port and clear it on "
                     "the others."),
    cfg.BoolOpt("store_data", default=True,
                help="Keep raw and processed introspection data in discoverd's "
                     "database (GET /v1/introspection/<node>/data)."),
    cfg.IntOpt("lease_time", default=15, min=1,
               help="Seconds after which ramdisk data being processed by a discoverd "
                    "process that stopped renewing its lease (it died) is taken over "
                    "and processed again by any discoverd process on the same database. "
                    "Leases are renewed every third of this time."),
    cfg.StrOpt("extra_hardware_store", default="node_extra",
               choices=["node_extra", "data"],
               help="Where the extra_hardware facts go: node.extra['hardware'] in "
                    "Ironic, or only discoverd's processed data."),
    cfg.BoolOpt("boot_mode_capability", default=True,
                help="capabilities hook: set the boot_mode capability."),
    cfg.DictOpt("cpu_flags", default={"vmx": "cpu_vt", "svm": "cpu_vt",
                                      "aes": "cpu_aes", "pse": "cpu_hugepages",
                                      "pdpe1gb": "cpu_hugepages_1g", "smx": "cpu_txt"},
                help="capabilities hook: CPU flag -> capability set to 'true'."),
]
