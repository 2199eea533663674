"""[pxe_filter]: which machines discoverd's dnsmasq answers (the PXE filter)."""

from oslo_config import cfg

GROUP = "pxe_filter"

opts = [
    cfg.StrOpt("driver", default="noop", choices=["noop", "dnsmasq"],
               help="PXE filter: 'noop' leaves DHCP alone; 'dnsmasq' writes one file per "
                    "MAC into dhcp_hostsdir so that, while an introspection runs, only "
                    "unknown MACs and MACs under introspection get the discovery ramdisk, "
                    "and when none runs, no MAC gets it."),
    cfg.IntOpt("sync_period", default=15, min=0,
               help="Seconds between two full syncs of the filter with Ironic's ports "
                    "and the running introspections; 0 disables the periodic sync (the "
                    "filter is still synced when an introspection starts)."),
    cfg.StrOpt("dhcp_hostsdir", default="/var/lib/discoverd/dhcp-hostsdir",
               help="Directory given to dnsmasq as --dhcp-hostsdir. discoverd owns it: "
                    "dnsmasq only reads it (inotify picks up every write)."),
    cfg.BoolOpt("purge_dhcp_hostsdir", default=True,
                help="Empty dhcp_hostsdir when discoverd starts. Set to False when "
                     "several discoverd processes on one host share the directory."),
]
