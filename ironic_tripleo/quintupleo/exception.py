"""Errors of QuintupleO (Nova servers as bare-metal nodes), under one base class.

Servers are named by what the node gave (name or ID) and the cloud; passwords never
appear in messages.
"""

from ironic_tripleo.exception import TripleOError


class QuintupleOError(TripleOError):
    """Base of the errors of ironic_tripleo.quintupleo."""

    message = "Nova server %(server)s on cloud %(cloud)s: %(reason)s"


class InvalidNovaInfo(QuintupleOError):
    """driver_info (or backend arguments) missing fields or with malformed ones."""

    message = "Node %(node)s: %(problems)s"


class CloudConfigError(QuintupleOError):
    """The cloud cannot be configured (unknown clouds.yaml entry, bad auth)."""

    message = "cloud %(cloud)s cannot be used: %(reason)s (check clouds.yaml or the auth fields)"


class CloudUnreachable(QuintupleOError):
    """The identity or compute API did not answer (refused, timed out)."""

    message = ("cloud %(cloud)s did not answer %(what)s for server %(server)s: %(reason)s "
               "(check the auth URL and that Keystone and Nova are up)")


class CloudTimeout(CloudUnreachable):
    """A call (all of its HTTP requests) still unanswered at the action's deadline."""

    message = ("cloud %(cloud)s gave no answer to %(what)s of server %(server)s within "
               "%(seconds).1fs, the time the action had left (see [tripleo_nova]"
               "state_timeout; each HTTP request may take api_timeout)")


class CloudBusy(QuintupleOError):
    """No call slot for the cloud within the deadline."""

    message = ("cloud %(cloud)s is busy: no call slot for %(what)s of server %(server)s "
               "within %(seconds).1fs (see [tripleo_nova]max_concurrent_calls)")


class CloudRequestFailed(QuintupleOError):
    """Nova answered a request with an error."""

    message = "cloud %(cloud)s refused %(what)s of server %(server)s: %(reason)s"


class ServerNotFound(QuintupleOError):
    """No server of that name or ID (never created, or deleted underneath)."""

    message = ("Nova server %(server)s does not exist on cloud %(cloud)s (deleted?): "
               "its power state is unknown; re-create it or fix the node's nova_server")


class ServerAmbiguous(QuintupleOError):
    """A server name that matches several servers."""

    message = ("Nova server name %(server)s matches %(count)d servers on cloud %(cloud)s: "
               "give the server ID instead")


class ServerInError(QuintupleOError):
    """The server is in Nova's ERROR state (or being deleted): no power state."""

    message = ("Nova server %(server)s on cloud %(cloud)s is %(status)s (task_state "
               "%(task_state)s): its power state is unknown; %(hint)s")


class ServerStateTimeout(QuintupleOError):
    """A transition did not finish, or the wanted state was not reached, in time."""

    message = ("Nova server %(server)s on cloud %(cloud)s is still %(observed)s after "
               "%(seconds).1fs waiting for %(wanted)s (see [tripleo_nova]state_timeout)")


class BuildError(QuintupleOError):
    """``quintupleo build-nodes`` / ``delete-nodes`` cannot proceed."""

    message = "quintupleo: %(reason)s"
