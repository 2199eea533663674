"""instackenv ``pm_type`` values: the Ironic hardware type and driver_info each one means.

TripleO's inventory names the BMC with ``pm_*`` fields whatever its protocol; each
protocol here turns them into Ironic 39's hardware type and driver_info keys, and
gives the BMC identity (address, port or system) that finds a node again on
re-import. Ironic 39 no longer ships the ``ilo``, ``irmc`` and ``xclarity`` hardware
types; those BMCs speak Redfish, so they are enrolled as ``redfish`` with their
vendor's system path (a note is logged).
"""

from __future__ import annotations

import dataclasses
import re

IPMI_PORT = 623


@dataclasses.dataclass(frozen=True)
class PmType:
    """How one family of ``pm_type`` values is enrolled."""

    #: Ironic hardware type
    hardware_type: str
    #: "ipmi", "redfish", "nova" or "none": which driver_info keys are written
    protocol: str
    #: Redfish system path used when the entry has no ``pm_system_id``
    default_system_id: str | None = None
    #: logged once per entry when this pm_type is not Ironic's own name for it
    note: str | None = None

    @property
    def needs_bmc(self) -> bool:
        return self.protocol != "none"

    def driver_info(self, address: str, port: int | None, username: str | None,
                    password: str | None, system_id: str | None) -> dict[str, object]:
        """The driver_info keys for the BMC fields (credentials only when given)."""
        if self.protocol == "ipmi":
            info: dict[str, object] = {"ipmi_address": address,
                                       "ipmi_port": port or IPMI_PORT}
            prefix = "ipmi"
        elif self.protocol == "nova":
            # QuintupleO: pm_addr names the cloud (clouds.yaml), pm_system_id the server
            return {"nova_cloud": address, "nova_server": system_id}
        elif self.protocol == "redfish":
            info = {"redfish_address": redfish_url(address, port)}
            system = system_id or self.default_system_id
            if system:
                info["redfish_system_id"] = system
            prefix = "redfish"
        else:
            return {}
        if username is not None:
            info[f"{prefix}_username"] = username
        if password is not None:
            info[f"{prefix}_password"] = password
        return info


_REDFISH_NOTE = ("Ironic 39 has no '{0}' hardware type: enrolled as 'redfish' "
                 "({1} speaks Redfish)")

#: (pattern over pm_type, what it means), first match wins; TripleO's spellings.
PM_TYPES: tuple[tuple[str, PmType], ...] = (
    (r"^(ipmi|.*_ipmitool|tripleo-ipmi)$", PmType("tripleo-ipmi", "ipmi")),
    (r"^redfish$", PmType("redfish", "redfish")),
    (r"^(tripleo-nova|nova)$", PmType("tripleo-nova", "nova")),
    (r"^(idrac|.*_drac)$", PmType("idrac", "redfish", "/redfish/v1/Systems/System.Embedded.1")),
    (r"^(ilo|.*_ilo)$", PmType("redfish", "redfish", "/redfish/v1/Systems/1",
                               _REDFISH_NOTE.format("ilo", "iLO 5 and later"))),
    (r"^(irmc|.*_irmc)$", PmType("redfish", "redfish", "/redfish/v1/Systems/0",
                                 _REDFISH_NOTE.format("irmc", "iRMC S5 and later"))),
    (r"^xclarity$", PmType("redfish", "redfish", "/redfish/v1/Systems/1",
                           _REDFISH_NOTE.format("xclarity", "the XClarity Controller"))),
    (r"^(manual-management|fake_pxe|fake_agent)$", PmType("manual-management", "none")),
    (r"^fake(-hardware)?$", PmType("fake-hardware", "none")),
)
NAMES = ("ipmi, tripleo-ipmi, tripleo-nova, redfish, idrac, ilo, irmc, xclarity, "
         "manual-management, fake-hardware")


def find(pm_type: str) -> PmType | None:
    """The meaning of ``pm_type``, or None when it is not supported."""
    for pattern, meaning in PM_TYPES:
        if re.search(pattern, pm_type):
            return meaning
    return None


def redfish_url(address: str, port: int | None) -> str:
    """``https://host[:port]``: a scheme added when missing (Ironic's default, https)."""
    url = address if re.match(r"^https?://", address, re.I) else f"https://{address}"
    url = url.rstrip("/")
    if port is not None and not re.search(r"(\]|^[^\[]*):\d+$", url.split("://", 1)[1]):
        url = f"{url}:{port}"
    return url


def bmc_identity(driver_info: dict) -> str | None:
    """What identifies a BMC across re-imports: ``address:port`` or ``host/system``."""
    if driver_info.get("ipmi_address"):
        return f"ipmi:{driver_info['ipmi_address']}:{driver_info.get('ipmi_port') or IPMI_PORT}"
    if driver_info.get("nova_server"):
        return f"nova:{driver_info.get('nova_cloud')}/{driver_info['nova_server']}"
    if driver_info.get("redfish_address"):
        host = re.sub(r"^https?://", "", str(driver_info["redfish_address"]), flags=re.I)
        system = str(driver_info.get("redfish_system_id") or "").lstrip("/")
        return f"redfish:{host.rstrip('/')}/{system}"
    return None
