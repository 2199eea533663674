"""[discovery]: enrolling machines that no introspection expects (auto-discovery)."""

from oslo_config import cfg

GROUP = "discovery"

opts = [
    cfg.BoolOpt("enroll_unknown", default=False,
                help="When ramdisk data matches no node under introspection and none of "
                     "its MACs is known to Ironic, create the node in Ironic (with its "
                     "boot MAC as a port and its reported BMC address as ipmi_address) "
                     "and process the data as for an introspected node. The data gets "
                     "auto_discovered = true, which introspection rules can match on "
                     "(data://auto_discovered). With the dnsmasq PXE filter, unknown "
                     "MACs then boot the discovery ramdisk at any time, not only while "
                     "an introspection runs."),
    cfg.StrOpt("enroll_node_driver", default="tripleo-ipmi",
               help="Hardware type of auto-discovered nodes."),
    cfg.DictOpt("enroll_node_fields", default={},
                help="Other fields of auto-discovered nodes, e.g. "
                     "resource_class:baremetal,conductor_group:rack1."),
]
