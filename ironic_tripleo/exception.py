"""Errors raised by ironic_tripleo.

One base class; each subclass carries a message template whose fields name the
node, the bad value and what is allowed. Exceptions never log.
"""

from baremetal_common.errors import TemplatedError


class TripleOError(TemplatedError):
    """Base of every error raised by ironic_tripleo."""

    message = "An unknown error occurred"


# --- native IPMI (ironic_tripleo.ipmi) ---------------------------------------------
# BMCs are named "address:port" in messages; passwords never appear in them.


class IPMIError(TripleOError):
    """Base of errors talking IPMI to a BMC."""

    message = "IPMI error with BMC %(bmc)s: %(reason)s"


class InvalidDriverInfo(IPMIError):
    """driver_info of a node is missing fields or has malformed ones."""

    message = "Node %(node)s: %(problems)s"


class BMCUnreachable(IPMIError):
    """No answer at all from the BMC while logging in."""

    message = ("No answer from BMC %(bmc)s after %(seconds).1fs: check ipmi_address "
               "and ipmi_port and that the BMC is up")


class BMCCredentialsRefused(IPMIError):
    """The BMC answered but refused the user name, password or privilege."""

    message = ("BMC %(bmc)s refused the credentials of user '%(user)s' (%(reason)s): "
               "check ipmi_username, ipmi_password and ipmi_priv_level")


class BMCTimeout(IPMIError):
    """The BMC did not answer a command in time (or the session was lost)."""

    message = "BMC %(bmc)s did not answer '%(what)s' within %(seconds).1fs: %(reason)s"


class BMCBusy(IPMIError):
    """A command's turn at its BMC did not come before its deadline."""

    message = ("BMC %(bmc)s is busy: %(ahead)d command(s) ahead of this one and its turn "
               "did not come within %(seconds).1fs (see [tripleo_ipmi]command_timeout "
               "and min_command_interval)")


class IPMICommandFailed(IPMIError):
    """The BMC answered a command with an error."""

    message = "BMC %(bmc)s: '%(what)s' failed: %(reason)s"


# --- discoverd inspect interface (ironic_tripleo.inspect) --------------------------


class DiscoverdAPIError(TripleOError):
    """discoverd did not answer, or answered a request with an error."""

    message = ("discoverd at %(url)s: %(call)s of node %(node)s failed: %(reason)s "
               "(check [tripleo_discoverd]url and that discoverd is running)")

    def __init__(self, message: str | None = None, *, status: int | None = None,
                 **kwargs: object) -> None:
        super().__init__(message, **kwargs)
        self.status = status


class DiscoverdRefused(DiscoverdAPIError):
    """discoverd answered, and refused the request (HTTP 4xx/5xx with its reason)."""

    message = "discoverd at %(url)s refused %(call)s of node %(node)s: %(reason)s"


# --- iSCSI deploy (ironic_tripleo.deploy) -------------------------------------------
# Images are named by their href; CHAP secrets never appear in messages.


class DeployError(TripleOError):
    """Base of errors of the iscsi deploy."""

    message = "Deploy of node %(node)s failed: %(reason)s"


class ImageSourceError(DeployError):
    """The image could not be fetched."""

    message = "Cannot fetch image %(image)s: %(reason)s"


class ImageChecksumMissing(DeployError):
    message = ("Image %(image)s has no usable checksum: set instance_info "
               "image_os_hash_algo and image_os_hash_value (%(allowed)s), or image_checksum")


class ImageChecksumMismatch(DeployError):
    message = ("Image %(image)s failed verification: %(algo)s expected %(expected)s, "
               "got %(actual)s; nothing was written")


class UnsafeImage(DeployError):
    message = "Image %(image)s is refused: %(reason)s (permitted formats: %(allowed)s)"


class ImageTooLarge(DeployError):
    message = ("Image %(image)s needs %(needed)d bytes but the target disk %(device)s of "
               "node %(node)s has only %(available)d bytes")


class ISCSITargetUnavailable(DeployError):
    message = ("iSCSI target %(iqn)s at %(portal)s did not answer within %(seconds).0fs: "
               "%(reason)s")


class ImageWriteFailed(DeployError):
    message = "Writing image %(image)s to %(iqn)s at %(portal)s failed: %(reason)s"


class WriteSlotTimeout(DeployError):
    message = ("No write slot within %(seconds).0fs: %(limit)d image write(s) already in "
               "progress (see [tripleo_deploy]max_concurrent_writes)")


class PartitionLayoutError(DeployError):
    message = "Partition layout for node %(node)s: %(reason)s"


class AgentCommandFailed(DeployError):
    message = ("Deploy agent of node %(node)s at %(url)s: command %(command)s failed: "
               "%(reason)s")


class InvalidInstanceInfo(DeployError):
    message = "Node %(node)s: instance_info %(field)s is invalid: %(reason)s"


class NetnsError(DeployError):
    message = ("initiator network namespace %(netns)s: %(reason)s "
               "([tripleo_deploy] initiator_netns must name an existing 'ip netns')")


# --- inventories and enrollment (ironic_tripleo.enroll) -------------------------------


class InventoryError(TripleOError):
    """A bad inventory; ``errors`` lists each problem."""

    message = "invalid inventory %(source)s:\n  %(details)s"

    def __init__(self, source: str, errors: list[str]) -> None:
        self.errors = errors
        super().__init__(source=source, details="\n  ".join(errors))


class EnrollConflictError(TripleOError):
    message = "%(node)s: %(reason)s; nothing was enrolled"


class NodesNotMoved(TripleOError):
    """Enrolled nodes did not all reach the state of a provision action."""

    message = "'%(target)s' did not succeed for every node: %(errors)s"


# --- host commands (ironic_tripleo.command) ------------------------------------------


class CommandFailed(TripleOError):
    """A host command exited non-zero or was killed at its timeout."""

    message = "%(command)s %(outcome)s: %(tail)s"
