"""Errors of the image build (subclasses of the agent's ``RamdiskError``)."""

from __future__ import annotations

from ramdisk.exception import CommandFailed as AgentCommandFailed
from ramdisk.exception import RamdiskError


class BuildError(RamdiskError):
    message = "ramdisk build failed: %(reason)s"


class NotRoot(BuildError):
    message = ("ramdisk build must run as root (mmdebstrap creates device-owning files "
               "and depmod/cpio keep ownership); running as uid %(uid)s: use sudo")


class MissingTool(BuildError):
    message = ("ramdisk build needs %(tool)s on PATH: install the Debian package "
               "%(package)s (scripts/install-system-packages.sh)")


class UnknownPackage(BuildError):
    message = ("unknown Debian package(s) %(packages)s: not in the apt sources of %(mirror)s "
               "for %(suite)s; check the name (apt-cache search) or drop --extra-package")


class MirrorUnreachable(BuildError):
    message = ("the Debian mirror %(mirror)s cannot be reached (%(reason)s); check the "
               "network/proxy or pass --mirror URL")


class CommandFailed(BuildError, AgentCommandFailed):
    """A build command failed: a ``BuildError`` and the runner's ``CommandFailed``."""

    message = "%(command)s %(outcome)s: %(tail)s"


class KernelNotFound(BuildError):
    message = ("kernel %(version)s: %(reason)s; pass --kernel-version with an installed "
               "candidate (apt-cache search linux-image-)")
