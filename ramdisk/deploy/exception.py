"""Errors of the deploy mode (subclasses of the agent's ``RamdiskError``)."""

from __future__ import annotations

from http import HTTPStatus

from ramdisk.exception import RamdiskError


class TargetError(RamdiskError):
    message = "iSCSI target %(iqn)s: %(action)s failed: %(reason)s"


class TargetDaemonError(RamdiskError):
    message = "tgtd on portal %(portal)s (control port %(control_port)s): %(reason)s"


class NoRootDevice(RamdiskError):
    message = ("no disk matches the root device hints %(hints)s among %(disks)s; "
               "fix the node's properties.root_device or add a disk")


class InvalidRootDeviceHints(RamdiskError):
    message = "root device hint %(name)s=%(value)r is invalid: %(allowed)s"


class LookupFailed(RamdiskError):
    message = ("lookup of MACs %(macs)s at %(url)s failed: %(reason)s; the node must "
               "have a port with one of these MACs and be in a state that allows "
               "lookup (deploy wait, clean wait, ... or fast track)")


class HeartbeatFailed(RamdiskError):
    message = "heartbeat of node %(node)s to %(url)s failed: %(reason)s"


class NoAPIURL(RamdiskError):
    message = ("no Ironic API URL: pass --ironic-url or boot with ipa-api-url=URL on "
               "the kernel command line %(source)s")


class NoMACs(RamdiskError):
    message = ("no MAC address to look the node up with: pass --mac, boot with "
               "BOOTIF=..., or have a NIC with a MAC (%(source)s)")


class InvalidCommand(RamdiskError):
    message = "command %(command)s: parameter %(name)s=%(value)r is invalid: %(allowed)s"


class TargetBusy(RamdiskError):
    message = ("target %(current)s is already exported; stop it (stop_iscsi_target) "
               "before exporting %(requested)s")


class APIError(RamdiskError):
    """A command API request refused; ``status`` is the HTTP answer."""

    message = "%(reason)s"

    def __init__(self, status: HTTPStatus, reason: str) -> None:
        self.status = status
        super().__init__(reason=reason)
