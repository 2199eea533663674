"""An exported iSCSI LUN as the conductor's writers see it: portal, IQN, CHAP.

Shared by the userspace writer (``writer``: libiscsi through ``qemu-img
--image-opts``) and the kernel initiator (``kernel_iscsi``: open-iscsi), so that
neither imports the other.
"""

from __future__ import annotations

import dataclasses

SECRET_ID = "chap0"  # noqa: S105 - the id of a qemu secret object, not a secret


@dataclasses.dataclass(frozen=True)
class Target:
    """An exported LUN and its incoming CHAP credentials."""

    host: str
    port: int
    iqn: str
    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)
    lun: int = 1
    netns: str | None = None  # the initiator's network namespace (lab data plane)

    @property
    def portal(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def image_opts(self, size: int | None = None) -> str:
        """qemu ``--image-opts`` for the LUN; with ``size``, only its first bytes."""
        opts = [f"transport=tcp,portal={self.portal},target={self.iqn},lun={self.lun}"]
        if self.username:
            opts.append(f"user={self.username},password-secret={SECRET_ID}")
        iscsi = ",".join(opts)
        if size is None:
            return f"driver=iscsi,{iscsi}"
        nested = ",".join(f"file.{kv}" for kv in iscsi.split(","))
        return f"driver=raw,size={size},file.driver=iscsi,{nested}"
