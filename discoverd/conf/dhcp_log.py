"""[dhcp_log]: ending introspections early when DHCP refuses their nodes an address."""

from oslo_config import cfg

GROUP = "dhcp_log"

opts = [
    cfg.StrOpt("dnsmasq_log_file",
               help="dnsmasq's log file (its --log-facility, with DHCP logging on) for "
                    "the network the nodes PXE-boot on. When set, discoverd follows it "
                    "and ends the introspection of a waiting node in error, naming its "
                    "MAC, once dnsmasq has answered that MAC 'no address available' "
                    "for no_lease_grace seconds with no lease since: a full DHCP range "
                    "then shows within a minute instead of at the introspection "
                    "timeout. Unset: not watched."),
    cfg.IntOpt("no_lease_grace", default=30, min=0,
               help="Seconds a node may keep being refused an address (dnsmasq may "
                    "free one as leases expire) before its introspection ends in "
                    "error."),
    cfg.FloatOpt("poll_interval", default=1.0, min=0.1,
                 help="Seconds between two reads of the dnsmasq log."),
]
