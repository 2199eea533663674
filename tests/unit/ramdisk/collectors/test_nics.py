import netifaces

from ramdisk.collectors import nics

VETH = {
    netifaces.AF_LINK: [{"addr": "52:54:00:AA:BB:01", "broadcast": "ff:ff:ff:ff:ff:ff"}],
    netifaces.AF_INET: [{"addr": "198.51.100.21", "netmask": "255.255.255.0"}],
    netifaces.AF_INET6: [{"addr": "fe80::5054:ff:feaa:bb01%eth0", "netmask": "ffff::/64"},
                         {"addr": "2001:db8::21", "netmask": "ffff::/64"}],
}


def test_veth_record():
    sysfs = {"carrier": "1", "speed": "10000", "operstate": "up", "type": "1"}
    assert nics.interface_record("eth0", VETH, sysfs) == {
        "name": "eth0", "mac_address": "52:54:00:aa:bb:01", "ipv4_address": "198.51.100.21",
        "ipv6_address": "2001:db8::21", "has_carrier": True, "lldp": None, "vendor": None,
        "product": None, "client_id": None, "biosdevname": None, "speed_mbps": 10000,
    }


def test_pci_nic_down_link_local_only():
    addrs = {netifaces.AF_LINK: [{"addr": "0c:c4:7a:3b:5e:10"}],
             netifaces.AF_INET6: [{"addr": "fe80::ec4:7aff:fe3b:5e10%eno1"}]}
    sysfs = {"type": "1", "vendor": "0x8086", "product": "0x1533", "speed": "-1"}
    record = nics.interface_record("eno1", addrs, sysfs)
    assert record["ipv4_address"] is None
    assert record["ipv6_address"] == "fe80::ec4:7aff:fe3b:5e10"
    assert record["has_carrier"] is False
    assert record["speed_mbps"] is None
    assert (record["vendor"], record["product"]) == ("0x8086", "0x1533")


def test_loopback_and_macless_are_skipped():
    lo = {netifaces.AF_LINK: [{"addr": "00:00:00:00:00:00"}],
          netifaces.AF_INET: [{"addr": "127.0.0.1"}]}
    assert nics.interface_record("lo", lo, {"type": "772"}) is None
    assert nics.interface_record("lo2", lo, {"type": "772"}) is None
    assert nics.interface_record("tun0", {netifaces.AF_INET: [{"addr": "10.8.0.1"}]},
                                 {"type": "65534"}) is None
    ib = {netifaces.AF_LINK: [{"addr": "80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03"}]}
    assert nics.interface_record("ib0", ib, {"type": "32"}) is None


def test_read_sysfs_ignores_unreadable(tmp_path):
    (tmp_path / "eth0").mkdir()
    (tmp_path / "eth0" / "operstate").write_text("down\n")
    assert nics.read_sysfs("eth0", str(tmp_path)) == {"operstate": "down"}


def test_collect_real_machine():
    found = nics.collect()
    assert all(r["name"] != "lo" for r in found)
    assert all(len(r["mac_address"].split(":")) == 6 for r in found)
