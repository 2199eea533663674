"""Errors of the virtual BMC, under ironic_tripleo's one base class.

Packet errors never reach a client: the server drops malformed datagrams, as a
BMC does. Configuration errors name the node, the field and what is allowed.
"""

from ironic_tripleo.exception import TripleOError


class VbmcError(TripleOError):
    """Base of the virtual BMC's errors."""

    message = "virtual BMC error"


class PacketError(VbmcError):
    """A datagram that cannot be parsed; it is dropped."""

    message = "malformed IPMI packet: %(reason)s"


class ConfigError(VbmcError):
    """An invalid server configuration."""

    message = "virtual BMC config: node %(node)s: field %(field)s: %(reason)s"


class BackendLoadError(VbmcError):
    """A backend that is unknown or fails to load."""

    message = ("virtual BMC config: node %(node)s: backend %(backend)r cannot be loaded "
               "(known backends: %(known)s): %(reason)s")


class BindError(VbmcError):
    """A node's UDP socket cannot be opened."""

    message = "virtual BMC for node %(node)s cannot listen on %(address)s:%(port)s: %(reason)s"


class ConfigFileError(VbmcError):
    """A config file that cannot be read or parsed."""

    message = "virtual BMC config %(path)s: %(reason)s"


class MemoryBackendError(VbmcError, RuntimeError):
    """Raised by every call of a memory backend built with ``fail=True``."""

    message = "memory backend set to fail (%(call)s)"
