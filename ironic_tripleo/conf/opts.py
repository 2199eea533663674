"""Option listing for ``oslo-config-generator --namespace ironic_tripleo``."""

import importlib

from oslo_config import cfg

# Modules under ironic_tripleo.conf that define ``GROUP`` and ``opts``.
_MODULES = (
    "ipmi",
    "deploy",
    "inspect",
    "ahc",
    "quintupleo",
)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """Return (group, options) pairs of every ironic_tripleo option."""
    result = []
    for name in _MODULES:
        module = importlib.import_module(f"ironic_tripleo.conf.{name}")
        result.append((module.GROUP, list(module.opts)))
    return result
