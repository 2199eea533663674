"""The abstract base of processing hooks and the settings they receive.

A hook works on plain data: ``before_processing`` may fix or enrich the ramdisk's
data before the node is fetched from Ironic; ``before_update`` records changes on
a ``NodeInfo``. Hooks raise ``HookError`` (or anything else) to fail the
introspection; the pipeline names the hook in the error.
"""

import abc
import dataclasses
from typing import Any, ClassVar

from discoverd.node_info import NodeInfo


@dataclasses.dataclass(frozen=True)
class HookSettings:
    """What hooks may be configured with (from ``[processing]``)."""

    add_ports: str = "pxe"
    keep_ports: str = "all"
    update_pxe_enabled: bool = True
    extra_hardware_store: str = "node_extra"
    boot_mode_capability: bool = True
    ahc_rules_dir: str | None = None
    ahc_lock_timeout: float = 60.0
    cpu_flags: dict[str, str] = dataclasses.field(default_factory=lambda: {
        "vmx": "cpu_vt", "svm": "cpu_vt", "aes": "cpu_aes", "pse": "cpu_hugepages",
        "pdpe1gb": "cpu_hugepages_1g", "smx": "cpu_txt"})


class HookError(Exception):
    """A hook's own failure; the message says what in the data is wrong."""


class ProcessingHook(abc.ABC):  # noqa: B024 - both methods are optional overrides
    """Base of processing hooks.

    :cvar dependencies: names of hooks that must run before this one.
    """

    dependencies: ClassVar[list[str]] = []

    def __init__(self, settings: HookSettings | None = None) -> None:
        self.settings = settings or HookSettings()

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
