"""What dnsmasq's DHCP log says about the leases of machines: parsing, no I/O.

A node whose DHCP requests are answered "no address available" (the range is full)
never boots the discovery ramdisk; without this, its introspection would only end at
the timeout (an hour by default) and the one trace would be a line in dnsmasq's log.
``LeaseFailures`` remembers, per MAC, since when dnsmasq has been refusing it an
address; a lease (DHCPACK) clears the MAC. Times are the log's own (local time,
no year, as syslog writes them), turned into naive UTC like discoverd's records, so
that a refusal older than an introspection is never held against it, whenever the
line is read.

dnsmasq writes lines such as (``--log-dhcp`` adds the transaction id)::

    Nov 29 14:04:08 dnsmasq-dhcp[7668]: 1470526783 DHCPDISCOVER(br0) 52:54:00:44:ec:01
      no address available      (one line)
    Nov 29 14:04:08 dnsmasq-dhcp[7668]: 1470526783 DHCPACK(br0) 198.51.100.78
      52:54:00:44:ec:01
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import re


class Kind(enum.Enum):
    """What a DHCP log line tells about a MAC."""

    no_address = "no address available"
    lease = "lease"


@dataclasses.dataclass(frozen=True)
class DhcpEvent:
    """One DHCP event of one MAC (lower case) on one interface, at ``stamp`` (the
    line's ``Mon DD HH:MM:SS``, or None when it has none)."""

    kind: Kind
    mac: str
    interface: str
    stamp: str | None = None


_STAMP = re.compile(r"^(?P<stamp>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) ")
_MAC = r"(?P<mac>[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5})"
_NO_ADDRESS = re.compile(
    r"dnsmasq-dhcp\[\d+\]: (?:\d+ )?DHCP(?:DISCOVER|REQUEST)\((?P<iface>[^)]*)\)"
    r"(?: \S+)?? " + _MAC + r"\s+no address available")
_ACK = re.compile(
    r"dnsmasq-dhcp\[\d+\]: (?:\d+ )?DHCPACK\((?P<iface>[^)]*)\) \S+ " + _MAC)


def parse(line: str) -> DhcpEvent | None:
    """Return the event ``line`` records, or None for any other line."""
    for kind, pattern in ((Kind.no_address, _NO_ADDRESS), (Kind.lease, _ACK)):
        match = pattern.search(line)
        if match:
            stamp = _STAMP.match(line)
            return DhcpEvent(kind, match["mac"].lower(), match["iface"],
                             stamp["stamp"] if stamp else None)
    return None


def event_time(stamp: str | None, now: datetime.datetime) -> datetime.datetime:
    """Naive UTC time of a syslog ``stamp`` in local time; ``now`` (naive UTC) when
    there is none or it cannot be read.

    The year is ``now``'s, or the one before when that would put the line more
    than a day in the future (a log read across New Year).
    """
    if stamp is None:
        return now
    local_now = now.replace(tzinfo=datetime.UTC).astimezone()
    try:
        local = datetime.datetime.strptime(f"{local_now.year} {' '.join(stamp.split())}",
                                           "%Y %b %d %H:%M:%S")
    except ValueError:
        return now
    if local - local_now.replace(tzinfo=None) > datetime.timedelta(days=1):
        local = local.replace(year=local.year - 1)
    return local.astimezone(datetime.UTC).replace(tzinfo=None)


@dataclasses.dataclass
class Refusal:
    """dnsmasq has refused ``mac`` an address since ``first`` (naive UTC)."""

    mac: str
    interface: str
    first: datetime.datetime
    last: datetime.datetime
    count: int = 1

    def describe(self) -> str:
        """The operator-facing reason, naming the MAC, the interface and the count."""
        times = "once" if self.count == 1 else f"{self.count} times"
        return (f"no DHCP lease: dnsmasq answered 'no address available' to MAC "
                f"{self.mac} on {self.interface} {times} (its DHCP range is full: "
                f"widen it or shorten the lease time)")


class LeaseFailures:
    """Per MAC, the DHCP refusals not followed by a lease."""

    def __init__(self) -> None:
        self._refused: dict[str, Refusal] = {}

    def feed(self, event: DhcpEvent, at: datetime.datetime) -> None:
        """Record one event that happened ``at`` (naive UTC)."""
        if event.kind is Kind.lease:
            self._refused.pop(event.mac, None)
            return
        refusal = self._refused.get(event.mac)
        if refusal is None:
            self._refused[event.mac] = Refusal(event.mac, event.interface, at, at)
        else:
            refusal.last, refusal.count = max(refusal.last, at), refusal.count + 1

    def refused(self) -> dict[str, Refusal]:
        """Every MAC refused an address and given no lease since."""
        return dict(self._refused)

    def prune(self, before: datetime.datetime) -> None:
        """Forget MACs last refused before ``before`` (machines nobody waits for)."""
        for mac in [m for m, r in self._refused.items() if r.last < before]:
            del self._refused[mac]


def overdue(refusal: Refusal, started_at: datetime.datetime, now: datetime.datetime,
            grace: float) -> bool:
    """Whether ``refusal`` should end an introspection started at ``started_at``:
    refused at least once since then, and for ``grace`` seconds counted from the
    later of its first refusal and the start."""
    if refusal.last < started_at:
        return False
    return (now - max(refusal.first, started_at)).total_seconds() >= grace
