"""Errors raised by discoverd.

One base class, ``DiscoverdError``; each subclass carries a message template whose
fields name the node, the bad value and what is allowed, and the HTTP status the
API answers with. Exceptions never log.
"""

from baremetal_common.errors import TemplatedError


class DiscoverdError(TemplatedError):
    """Base of every error raised by discoverd."""

    message = "An unknown error occurred"
    code = 500


class InvalidInput(DiscoverdError):
    message = "Invalid input: %(reason)s"
    code = 400


class NotFound(DiscoverdError):
    message = "%(what)s %(ident)s was not found"
    code = 404


class NodeNotFound(NotFound):
    message = "Node %(ident)s was not found in Ironic"


class IntrospectionNotFound(NotFound):
    message = ("No introspection of node %(ident)s is known; start one with "
               "POST /v1/introspection/%(ident)s")


class DataNotFound(NotFound):
    message = "No %(kind)s introspection data is stored for node %(ident)s"


class RuleNotFound(NotFound):
    message = "Introspection rule %(ident)s was not found"


class Conflict(DiscoverdError):
    message = "%(reason)s"
    code = 409


class InvalidTransition(Conflict):
    message = ("Node %(node)s: event '%(event)s' is not allowed in state '%(state)s' "
               "(allowed events: %(allowed)s)")


class ConcurrentUpdate(Conflict):
    message = ("Node %(node)s was changed by another request or discoverd process "
               "while handling '%(event)s'; retry")


class LookupFailed(DiscoverdError):
    """The ramdisk's data matched no node under introspection."""

    message = "Could not find a node under introspection for %(what)s: %(reason)s"
    code = 404


class IntrospectionEnded(Conflict):
    message = ("Node %(node)s: the introspection handed to Ironic's inspect flow ended "
               "(%(state)s: %(error)s) before Ironic's inspect interface joined it; it is "
               "not restarted. Start a new introspection to inspect the node again")


class PortConflict(Conflict):
    message = ("Node %(node)s: the ramdisk reported MAC %(mac)s, whose Ironic port "
               "%(port)s belongs to node %(owner)s; nothing was written to Ironic. Check "
               "the ramdisk's interfaces, or delete that port if the NIC moved")


class LeaseHeld(Conflict):
    message = ("Node %(node)s: its ramdisk data is being processed by discoverd process "
               "%(owner)s (alive %(age).0f s ago; a lease expires after %(lease)s s); "
               "retry later")


class LeaseLost(Conflict):
    message = ("Node %(node)s: discoverd process %(owner)s lost its lease on the "
               "processing to %(holder)s (its heartbeat was late); that process goes on")


class AmbiguousLookup(Conflict):
    message = "The ramdisk's data matches several nodes under introspection: %(reason)s"


class NotAcceptable(DiscoverdError):
    message = ("API version %(requested)s is not supported; this server supports "
               "%(minimum)s to %(maximum)s")
    code = 406


class Unauthorized(DiscoverdError):
    message = "Authentication required: %(reason)s"
    code = 401


class Forbidden(DiscoverdError):
    message = "Forbidden: %(reason)s"
    code = 403


class IronicError(DiscoverdError):
    message = "Ironic call %(call)s for node %(node)s failed: %(reason)s"
    code = 502


class ProcessingError(DiscoverdError):
    """Processing of introspection data failed; the introspection ends in error."""

    message = "Node %(node)s: %(reason)s"
    code = 400


class HookFailed(ProcessingError):
    message = "Node %(node)s: processing hook '%(hook)s' failed: %(reason)s"


class RuleFailed(ProcessingError):
    message = "Node %(node)s: introspection rule %(rule)s failed: %(reason)s"


class ConfigError(DiscoverdError):
    message = "Invalid configuration: %(reason)s"


class HookError(DiscoverdError):
    """A processing hook's own failure; the message says what in the data is wrong.

    The pipeline wraps it in ``HookFailed``, which names the node and the hook.
    """

    message = "%(reason)s"


class RuleFailure(DiscoverdError):
    """An introspection rule's ``fail`` action ran; the message is the rule's.

    The rules engine wraps it in ``RuleFailed``, which names the node and the rule.
    """

    message = "%(reason)s"


class ConditionError(DiscoverdError, ValueError):
    """An introspection rule's condition could not be evaluated (its regex took too
    long); the rules engine wraps it in ``RuleFailed``."""

    message = "%(reason)s"


class LLDPError(DiscoverdError, ValueError):
    """A TLV list that is not ironic-python-agent's ``[[type, hex], ...]`` format
    (``discoverd.lldp``); the ``lldp_basic`` hook wraps it in ``HookError``."""

    message = "%(reason)s"
