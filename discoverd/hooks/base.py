"""The abstract base of processing hooks.

A hook works on plain data: ``before_processing`` may fix or enrich the ramdisk's
data before the node is fetched from Ironic; ``before_update`` records changes on
a ``NodeInfo``. Hooks raise ``discoverd.exception.HookError`` (or anything else) to fail the
introspection; the pipeline names the hook in the error.

A hook with settings declares them itself: ``group`` names its option group and
``opts`` its oslo.config options. The hook registers them on the configuration it is
given and reads them as ``self.options``; ``discoverd.conf.opts`` lists every
installed hook's group for the sample configuration. Adding a hook option means
editing that hook's module only.
"""

import abc
from typing import Any, ClassVar

from oslo_config import cfg

from discoverd.node_info import NodeInfo


def hook_conf() -> cfg.ConfigOpts:
    """A parsed, empty configuration: every option at its default.

    What a hook reads when it is built without the service's configuration.
    """
    conf = cfg.ConfigOpts()
    conf([], project="discoverd", default_config_files=[], default_config_dirs=[])
    return conf


class ProcessingHook(abc.ABC):  # noqa: B024 - both methods are optional overrides
    """Base of processing hooks.

    :cvar dependencies: names of hooks that must run before this one.
    :cvar group: the hook's own option group (conventionally the hook's name).
    :cvar opts: its options; read them through ``self.options``.
    """

    dependencies: ClassVar[list[str]] = []
    #: the option group this hook reads, or None for a hook without options
    group: ClassVar[str | None] = None
    #: the hook's options, registered under ``group``
    opts: ClassVar[list[cfg.Opt]] = []

    def __init__(self, conf: cfg.ConfigOpts | None = None) -> None:
        """:param conf: the service's configuration; None reads every default."""
        if self.opts and not self.group:
            raise TypeError(f"{type(self).__name__} declares opts but no group")
        conf = hook_conf() if conf is None else conf
        if self.group:
            conf.register_opts(self.opts, group=self.group)
        self.options: Any = conf[self.group] if self.group else None

    @classmethod
    def with_options(cls, **values: Any) -> "ProcessingHook":
        """Build the hook outside a service: its options at ``values``, others at default.

        :raises oslo_config.cfg.NoSuchOptError: for a name the hook does not declare.
        """
        conf = hook_conf()
        if cls.group:
            conf.register_opts(cls.opts, group=cls.group)
        for name, value in values.items():
            conf.set_override(name, value, group=cls.group)
        return cls(conf)

    def before_processing(  # noqa: B027 - optional override
            self, introspection_data: dict[str, Any], **kwargs: Any) -> None:
        """Inspect or change the ramdisk's data before the node is fetched.

        :param introspection_data: the data, changed in place.
        """

    def before_update(  # noqa: B027 - optional override
            self, introspection_data: dict[str, Any], node_info: NodeInfo,
            **kwargs: Any) -> None:
        """Record changes to the node on ``node_info``.

        :param introspection_data: the (processed) data, may be changed in place.
        :param kwargs: ``ironic``: the service's Ironic client, for reads only
            (changes go through ``node_info``).
        """
