"""Options of the Nova (QuintupleO) power and management interfaces (``[tripleo_nova]``).

Library code under ``ironic_tripleo.quintupleo`` takes these values as plain
arguments; only the Ironic interfaces read them from CONF.
"""

from oslo_config import cfg

GROUP = "tripleo_nova"

opts = [
    cfg.StrOpt(
        "clouds_file",
        help="clouds.yaml to read the nodes' nova_cloud entries from. Unset: "
             "openstacksdk's usual places (OS_CLIENT_CONFIG_FILE, ./clouds.yaml, "
             "~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml)."),
    cfg.StrOpt(
        "boot_method", default="metadata", choices=[
            ("metadata", "OVB's way: server metadata libvirt:pxe-first=1 for PXE, "
                         "empty for disk; needs a compute host that honours it"),
            ("rescue", "sushy-tools' way: PXE boots the server in rescue mode with "
                       "rescue_image (an iPXE image), disk unrescues it; applied at "
                       "the next power on or reboot")],
        help="How the boot device (pxe or disk) is set on a Nova server."),
    cfg.StrOpt(
        "rescue_image",
        help="Name or ID of the iPXE image that servers are rescued with to boot from "
             "the network (boot_method=rescue). Required for PXE with that method."),
    cfg.FloatOpt(
        "state_timeout", default=60.0, min=1.0, max=3600.0,
        help="Seconds a power action or a power state reading may wait for the server "
             "to finish a running task (powering-on, rebooting, rebuilding...) and reach "
             "the wanted state. A server still busy then is an error, never a guessed "
             "state. Ironic's own timeout argument, when given, takes precedence for "
             "power actions."),
    cfg.FloatOpt(
        "poll_interval", default=1.0, min=0.1, max=60.0,
        help="Seconds between two readings of a server while waiting."),
    cfg.FloatOpt(
        "api_timeout", default=10.0, min=0.5, max=300.0,
        help="Seconds one HTTP request to the cloud (Keystone or Nova) may take. One "
             "reading or action may need several (a token, version discovery, the "
             "call); as a whole it ends at state_timeout (or Ironic's timeout) with an "
             "error even while a request is still waiting."),
    cfg.IntOpt(
        "max_concurrent_calls", default=8, min=1, max=256,
        help="API calls in flight at once to one cloud, from this conductor process "
             "(all nodes on the cloud share one connection). Further calls wait for a "
             "slot up to api_timeout."),
    cfg.FloatOpt(
        "status_cache_ttl", default=0.0, min=0.0, max=60.0,
        help="Seconds a server reading may be reused for power state queries (Ironic's "
             "power sync) instead of asking Nova again; any action on the server "
             "invalidates it. 0 disables the cache."),
]


def register(conf: cfg.ConfigOpts) -> None:
    """Register this group's options on ``conf`` (idempotent)."""
    conf.register_opts(opts, group=GROUP)
