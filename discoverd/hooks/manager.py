"""Loading processing hooks with stevedore, in configured order."""

import logging
from collections.abc import Sequence

import stevedore
from oslo_config import cfg

from discoverd import exception
from discoverd.hooks.base import ProcessingHook

LOG = logging.getLogger(__name__)

NAMESPACE = "discoverd.hooks"


class HookManager:
    """The configured hooks, loaded once; an object so tests can build their own.

    :param names: hook names in run order.
    :param conf: the service's configuration, given to every hook (each registers and
        reads its own option group); None: every hook option at its default.
    :raises ConfigError: for an unknown hook or a dependency that does not run
        earlier.
    """

    def __init__(self, names: Sequence[str], conf: cfg.ConfigOpts | None = None) -> None:
        self.names = list(names)
        seen: set[str] = set()
        for name in self.names:
            if name in seen:
                raise exception.ConfigError(reason=f"processing hook '{name}' is listed twice")
            seen.add(name)
        if not self.names:
            self.hooks: list[tuple[str, ProcessingHook]] = []
            return
        manager = stevedore.NamedExtensionManager(
            NAMESPACE, names=self.names, name_order=True, invoke_on_load=True,
            invoke_kwds={"conf": conf},
            on_missing_entrypoints_callback=self._missing, propagate_map_exceptions=True)
        self.hooks = [(ext.name, ext.obj) for ext in manager]
        self._check_dependencies()

    @staticmethod
    def _missing(names) -> None:
        raise exception.ConfigError(
            reason=f"unknown processing hook(s) {', '.join(sorted(names))}; "
                   f"available: {', '.join(sorted(available()))}")

    def _check_dependencies(self) -> None:
        before: set[str] = set()
        for name, hook in self.hooks:
            missing = [dep for dep in hook.dependencies if dep not in before]
            if missing:
                raise exception.ConfigError(
                    reason=f"processing hook '{name}' needs {', '.join(missing)} "
                           f"earlier in [processing] hooks")
            before.add(name)


def available() -> list[str]:
    """Names of every installed hook."""
    return sorted(stevedore.ExtensionManager(NAMESPACE).names())


def hook_classes() -> dict[str, type[ProcessingHook]]:
    """Every installed hook's class by name, without building any."""
    manager = stevedore.ExtensionManager(NAMESPACE)
    return {ext.name: ext.plugin for ext in manager}
