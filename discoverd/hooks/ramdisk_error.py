"""ramdisk_error: fail the introspection when the ramdisk reported an error."""

from typing import Any

from discoverd.exception import HookError
from discoverd.hooks.base import ProcessingHook


class RamdiskErrorHook(ProcessingHook):
    """Turn ``"error": "..."`` in the ramdisk data into a failed introspection."""

    def before_processing(self, introspection_data: dict[str, Any], **kwargs: Any) -> None:
        error = introspection_data.get("error")
        if error:
            raise HookError(f"the ramdisk reported an error: {error}")
