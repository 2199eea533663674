"""dnsmasq's DHCP log lines, refusal bookkeeping and the file follower."""

import datetime
import os
import time

import pytest

from discoverd.no_lease import LogFollower
from discoverd.pxe_filter import dnsmasq_log
from discoverd.pxe_filter.dnsmasq_log import DhcpEvent, Kind, LeaseFailures

MAC = "52:54:00:44:ec:01"
T0 = datetime.datetime(2026, 11, 29, 14, 0, 0)


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


@pytest.mark.parametrize("line", [
    f"Nov 29 14:04:08 dnsmasq-dhcp[7668]: 1470526783 DHCPDISCOVER(itbr-1) {MAC} "
    "no address available",
    f"Nov  9 14:04:08 dnsmasq-dhcp[7668]: DHCPDISCOVER(itbr-1) {MAC.upper()} "
    "no address available",
    f"Nov 29 14:04:08 dnsmasq-dhcp[7668]: 17 DHCPREQUEST(itbr-1) 198.51.100.9 {MAC} "
    "no address available",
])
def test_no_address_lines(line):
    event = dnsmasq_log.parse(line)
    assert event is not None and event.kind is Kind.no_address
    assert (event.mac, event.interface) == (MAC, "itbr-1")
    assert event.stamp is not None and event.stamp.endswith("14:04:08")


def test_ack_and_other_lines():
    ack = dnsmasq_log.parse(f"Nov 29 14:04:08 dnsmasq-dhcp[1]: 9 DHCPACK(br0) "
                            f"198.51.100.78 {MAC} host1")
    assert ack == DhcpEvent(Kind.lease, MAC, "br0", "Nov 29 14:04:08")
    for line in (f"Nov 29 14:04:08 dnsmasq-dhcp[1]: 9 DHCPOFFER(br0) 198.51.100.78 {MAC}",
                 f"Nov 29 14:04:08 dnsmasq-dhcp[1]: 9 DHCPDISCOVER(br0) {MAC} ignored",
                 "Nov 29 14:03:41 dnsmasq[7668]: started, version 2.89", "", "garbage"):
        assert dnsmasq_log.parse(line) is None, line


def test_event_time_is_local_time_to_utc_and_handles_new_year(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Paris")  # UTC+1 in winter
    time.tzset()
    try:
        now = datetime.datetime(2026, 11, 29, 14, 0, 5)
        assert dnsmasq_log.event_time("Nov 29 15:00:01", now) == at(1)
        assert dnsmasq_log.event_time("Dec 31 23:59:59",
                                      datetime.datetime(2027, 1, 1, 0, 0, 30)
                                      ).year == 2026
        assert dnsmasq_log.event_time(None, now) == now
        assert dnsmasq_log.event_time("Foo 99 99:99:99", now) == now
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_refusals_until_a_lease():
    failures = LeaseFailures()
    no_address = DhcpEvent(Kind.no_address, MAC, "br0")
    failures.feed(no_address, at(0))
    failures.feed(no_address, at(5))
    refusal = failures.refused()[MAC]
    assert (refusal.first, refusal.last, refusal.count) == (at(0), at(5), 2)
    assert MAC in refusal.describe() and "2 times" in refusal.describe()
    failures.feed(DhcpEvent(Kind.lease, MAC, "br0"), at(6))
    assert failures.refused() == {}
    failures.feed(no_address, at(7))
    failures.prune(at(8))
    assert failures.refused() == {}


def test_overdue_counts_from_the_later_of_first_refusal_and_start():
    refusal = dnsmasq_log.Refusal(MAC, "br0", first=at(0), last=at(10))
    # refused only before the introspection started: never overdue
    assert not dnsmasq_log.overdue(refusal, started_at=at(11), now=at(100), grace=5)
    # refused since before the start and after it: grace counted from the start
    assert not dnsmasq_log.overdue(refusal, started_at=at(8), now=at(12), grace=5)
    assert dnsmasq_log.overdue(refusal, started_at=at(8), now=at(13), grace=5)
    # first refused after the start
    assert not dnsmasq_log.overdue(refusal, started_at=at(-5), now=at(4), grace=5)
    assert dnsmasq_log.overdue(refusal, started_at=at(-5), now=at(5), grace=5)


def test_follower_reads_new_lines_across_rotation_and_truncation(tmp_path):
    log = tmp_path / "dnsmasq.log"
    follower = LogFollower(log)
    assert follower.read_lines() == []  # not there yet
    log.write_text("one\ntwo\npart")
    assert follower.read_lines() == ["one", "two"]
    with open(log, "a") as f:
        f.write("ial\nthree\n")
    assert follower.read_lines() == ["partial", "three"]
    assert follower.read_lines() == []
    os.rename(log, tmp_path / "dnsmasq.log.1")  # rotated: a new file
    log.write_text("four\n")
    assert follower.read_lines() == ["four"]
    log.write_text("")  # truncated in place (copytruncate)
    assert follower.read_lines() == []
    with open(log, "a") as f:
        f.write("five\n")
    assert follower.read_lines() == ["five"]
