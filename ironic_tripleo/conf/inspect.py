"""Options of the ``discoverd`` inspect interface (``[tripleo_discoverd]``).

The interface reads them from Ironic's CONF; the discoverd client takes plain
arguments. Credentials for a secured discoverd are keystoneauth1's own options in
this group, as in Ironic's service-client groups (``[inspector]``, ``[glance]``):
``auth_type = http_basic`` with ``username``/``password`` for discoverd's
``http_basic`` strategy, ``auth_type = password`` with ``auth_url``, ``username``,
``password``, ``project_name``, ``user_domain_name``, ``project_domain_name`` for
its ``keystone`` strategy; unset for ``noauth``.
"""

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

GROUP = "tripleo_discoverd"

own_opts = [
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
             "poll is retried at the next period). It is used instead of the "
             "session option 'timeout' of this group."),
]

#: keystoneauth1 auth plugins whose options the sample configuration shows.
SAMPLE_AUTH_PLUGINS = ("http_basic", "password")


def _with_keystoneauth_opts() -> list[cfg.Opt]:
    """Our options plus keystoneauth1's (auth type, the sample plugins' options,
    session TLS options), as ``oslo-config-generator`` shows them."""
    result = {opt.name: opt for opt in own_opts}
    extra = list(ks_loading.get_auth_common_conf_options())
    for name in SAMPLE_AUTH_PLUGINS:
        extra += ks_loading.get_auth_plugin_conf_options(name)
    extra += ks_loading.get_session_conf_options()
    for opt in extra:
        result.setdefault(opt.name, opt)
    return sorted(result.values(), key=lambda opt: opt.name)


#: Every option of the group, for the sample configuration. The auth plugin's own
#: options are registered at run time by keystoneauth1 for the ``auth_type`` chosen.
opts = _with_keystoneauth_opts()


def register(conf: cfg.ConfigOpts) -> None:
    """Register this group's options and keystoneauth1's auth and session options
    on ``conf`` (idempotent)."""
    conf.register_opts(own_opts, group=GROUP)
    ks_loading.register_auth_conf_options(conf, GROUP)
    ks_loading.register_session_conf_options(conf, GROUP)
