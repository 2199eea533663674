"""Option listing for ``oslo-config-generator --namespace discoverd``."""

import importlib

from oslo_config import cfg

# Modules under discoverd.conf that define ``GROUP`` and ``opts``.
_MODULES = ("default", "database", "ironic", "processing", "pxe_filter", "dhcp_log",
            "discovery")


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """Return (group, options) pairs of every discoverd option, one pair per group.

    Besides the modules above: each installed processing hook's own group
    (``discoverd.hooks.base.ProcessingHook.group``) and ``[keystone_authtoken]``.
    """
    result: dict[str, list[cfg.Opt]] = {}

    def add(group: str, options: list[cfg.Opt]) -> None:
        known = result.setdefault(group, [])
        known.extend(opt for opt in options if opt not in known)

    for name in _MODULES:
        module = importlib.import_module(f"discoverd.conf.{name}")
        add(module.GROUP, list(module.opts))
    from discoverd.hooks.manager import hook_classes

    for _name, hook in sorted(hook_classes().items()):
        if hook.group:
            add(hook.group, list(hook.opts))
    from keystonemiddleware import auth_token  # [keystone_authtoken]

    for group, options in auth_token.list_opts():
        add(group, list(options))
    return list(result.items())
