"""What a virtual BMC controls: the backend interface.

The IPMI server only translates IPMI commands into calls on a ``NodeBackend``.
Backends: the lab's virtual nodes (``ironic_tripleo.lab``) now, Nova servers
(QuintupleO) later. A backend must be safe to call from several threads.
"""

import abc
import enum


class PowerState(enum.Enum):
    ON = "on"
    OFF = "off"


class BootDevice(enum.Enum):
    """Boot devices with the names Ironic uses."""

    PXE = "pxe"
    DISK = "disk"
    CDROM = "cdrom"
    BIOS = "bios"


class NodeBackend(abc.ABC):
    """One machine behind one virtual BMC."""

    @abc.abstractmethod
    def get_power_state(self) -> PowerState:
        """Return the machine's current power state."""

    @abc.abstractmethod
    def power_on(self) -> None:
        """Power the machine on (no-op when already on)."""

    @abc.abstractmethod
    def power_off(self) -> None:
        """Cut power at once (no-op when already off)."""

    @abc.abstractmethod
    def soft_off(self) -> None:
        """Ask the operating system to shut down (ACPI soft-off)."""

    @abc.abstractmethod
    def reset(self) -> None:
        """Hard reset: power cycle a running machine."""

    @abc.abstractmethod
    def get_boot_device(self) -> tuple[BootDevice, bool]:
        """Return (device, persistent)."""

    @abc.abstractmethod
    def set_boot_device(self, device: BootDevice, persistent: bool) -> None:
        """Set the device for the next boot, or every boot when ``persistent``."""
