"""Errors of the lab (``ironic_tripleo.lab``): one module, one base (``TripleOError``).

Each message names the node, service or file and, where there is one, the fix.
"""

from ironic_tripleo.exception import TripleOError


class MarkerImageError(TripleOError):
    """The bootable marker disk image could not be built."""

    message = "cannot build the marker image (%(step)s): %(reason)s"


class PostgresError(TripleOError):
    """The lab's PostgreSQL server failed to start, stop or answer."""

    message = "PostgreSQL: %(reason)s"


class KernelFetchError(TripleOError):
    """A Debian kernel package could not be fetched or unpacked."""

    message = "cannot fetch a Debian kernel (%(step)s): %(reason)s"


class ClusterStartError(TripleOError):
    """The production-shaped Ironic (API workers, conductors) did not come up."""

    message = "Ironic cluster did not become ready within %(timeout)ss: %(reason)s"


class QmpError(TripleOError):
    """A QMP command to a VM's qemu failed."""

    message = "QMP %(socket)s: %(command)s failed: %(reason)s"


class LabStateError(TripleOError):
    """The lab's state file is missing or does not fit the request."""

    message = "lab in %(workdir)s: %(reason)s"


class NetworkError(TripleOError):
    """An ``ip`` command building the lab's namespaces, bridge or links failed."""

    message = "'ip %(args)s' failed: %(error)s"


class VmStartError(TripleOError):
    """qemu did not start a VM node."""

    message = "VM node %(node)s: qemu did not start: %(reason)s"


class ServiceStartError(TripleOError):
    """A lab service (dnsmasq, HTTP, discoverd, ...) did not start."""

    message = "lab service %(service)s did not start: %(reason)s"


class BootFileError(TripleOError):
    """A file a VM node boots from is missing."""

    message = "VM lab: %(file)s is missing: %(fix)s"


class SideVenvError(TripleOError):
    """A service venv beside .venv (``lab.side_venv``) could not be built."""

    message = ("cannot build %(venv)s: pip install %(requirements)s failed (exit "
               "%(code)s):\n%(tail)s")

    @property
    def index_unreachable(self) -> bool:
        """Whether pip could not reach the package index at all."""
        return bool(self.kwargs.get("index_unreachable"))


class UndercloudError(TripleOError):
    """The undercloud (Keystone, Nova, ...) could not be built, started or stopped."""

    message = "undercloud: %(reason)s"


class LabConfigError(TripleOError):
    message = "lab: %(field)s %(value)r is invalid: %(allowed)s"


class SubnetInUseError(TripleOError):
    message = ("lab: subnet %(subnet)s is already used by interface %(ifname)s "
               "(%(address)s), probably another lab; pass --subnet with another part of "
               "198.51.100.0/24 or 203.0.113.0/24 (e.g. --subnet 203.0.113.0/24), "
               "or --subnet auto")


class NodeSpecError(TripleOError):
    message = "node %(node)s: %(field)s %(value)r is invalid: %(allowed)s"


class PxeBootError(TripleOError):
    message = "PXE boot of %(node)s failed: %(reason)s"


class VmSpecError(TripleOError):
    message = "VM node %(node)s: %(field)s %(value)r is invalid: %(allowed)s"


class QemuMissingError(TripleOError):
    message = ("VM nodes need %(binary)s, which is not installed: run "
               "scripts/install-system-packages.sh (Debian packages qemu-system-x86 and "
               "ipxe-qemu), or use namespace nodes (--node-kind namespace)")


class KvmUnavailableError(TripleOError):
    message = "KVM was requested but cannot be used here: %(reason)s; use --accel tcg or auto"


class BmcStartError(TripleOError):
    message = "virtual BMC for %(node)s did not answer on %(address)s:%(port)s: %(reason)s"


class IronicStartError(TripleOError):
    message = "Ironic did not become ready at %(url)s within %(timeout)ss: %(reason)s"


class DemoError(TripleOError):
    """A step of ``ironic-tripleo demo`` did not give the expected result."""

    message = "demo: %(reason)s"


class OvercloudError(TripleOError):
    """The overcloud stack on a lab could not be created, changed or deleted."""

    message = "overcloud: %(reason)s"
