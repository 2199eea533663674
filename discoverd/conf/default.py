"""[DEFAULT]: listening, API limits, authentication and timeouts."""

from oslo_config import cfg

GROUP = "DEFAULT"

opts = [
    cfg.BoolOpt("debug", default=False, help="Log at DEBUG level."),
    cfg.HostAddressOpt("listen_address", default="0.0.0.0",  # noqa: S104
                       help="Address discoverd listens on."),
    cfg.PortOpt("listen_port", default=5050, help="TCP port discoverd listens on."),
    cfg.StrOpt("auth_strategy", default="noauth",
               choices=["noauth", "http_basic", "keystone"],
               help="How API requests are authenticated (keystone: tokens validated by "
                    "keystonemiddleware, configured in [keystone_authtoken]). "
                    "/v1/continue (the ramdisk callback) and the version documents "
                    "stay public."),
    cfg.ListOpt("keystone_roles", default=["admin", "baremetal_admin"],
                help="With auth_strategy keystone: roles allowed to use the API (any "
                     "one is enough); other users get 403."),
    cfg.StrOpt("http_basic_auth_user_file", default="/etc/discoverd/htpasswd",
               help="htpasswd file (bcrypt hashes, 'user:$2y$...') used when "
                    "auth_strategy is http_basic."),
    cfg.IntOpt("timeout", default=3600, min=1,
               help="Seconds after which an unfinished introspection ends in error "
                    "and its node is powered off."),
    cfg.IntOpt("clean_up_period", default=60, min=0,
               help="Seconds between runs of the timeout check; 0 disables it."),
    cfg.IntOpt("max_content_length", default=1024 * 1024, min=1024,
               help="Largest request body accepted, in bytes; larger ones get 413."),
    cfg.IntOpt("api_max_limit", default=1000, min=1,
               help="Largest page size of GET /v1/introspection."),
    cfg.BoolOpt("power_off", default=True,
                help="Power the node off when introspection finishes, fails, is "
                     "aborted or times out."),
]
