"""Options of the ``discoverd`` inspect interface (``[tripleo_discoverd]``).

The interface reads them from Ironic's CONF; the discoverd client takes plain
arguments.
"""

from oslo_config import cfg

GROUP = "tripleo_discoverd"

opts = [
    cfg.URIOpt(
        "url", schemes=["http", "https"], default="http://127.0.0.1:5050",
        help="Base URL of discoverd's API (ironic-inspector v1 compatible), without "
             "/v1. The ramdisk posts to <url>/v1/continue when Ironic manages the "
             "boot, so it must be reachable from the provisioning network then."),
    cfg.IntOpt(
        "status_check_period", default=10, min=0, max=3600,
        help="Seconds between two polls of discoverd for the nodes in 'inspect wait' "
             "that use this interface; 0 disables the poll (nodes then stay in "
             "'inspect wait' until [conductor]inspect_wait_timeout)."),
    cfg.BoolOpt(
        "require_managed_boot", default=False,
        help="Refuse to inspect nodes whose boot interface cannot boot the discovery "
             "ramdisk itself (pxe/ipxe with deploy_kernel and deploy_ramdisk). When "
             "False, such nodes are set to boot from PXE and discoverd's dnsmasq with "
             "its PXE filter serves the ramdisk (the classic TripleO set-up)."),
    cfg.FloatOpt(
        "request_timeout", default=30.0, min=1.0, max=600.0,
        help="Seconds to wait for one HTTP request to discoverd before the call "
             "fails (starting introspection fails the inspection; a failed status "
             "poll is retried at the next period)."),
]


def register(conf: cfg.ConfigOpts) -> None:
    """Register this group's options on ``conf`` (idempotent)."""
    conf.register_opts(opts, group=GROUP)
