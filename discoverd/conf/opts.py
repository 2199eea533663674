"""Option listing for ``oslo-config-generator --namespace discoverd``."""

import importlib

from oslo_config import cfg

# Modules under discoverd.conf that define ``GROUP`` and ``opts``.
_MODULES = ("default", "database", "ironic", "processing", "pxe_filter", "ahc")


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """Return (group, options) pairs of every discoverd option."""
    result = []
    for name in _MODULES:
        module = importlib.import_module(f"discoverd.conf.{name}")
        result.append((module.GROUP, list(module.opts)))
    from keystonemiddleware import auth_token  # [keystone_authtoken]

    result.extend((group, list(options)) for group, options in auth_token.list_opts())
    return result
