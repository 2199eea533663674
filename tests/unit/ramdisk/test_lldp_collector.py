"""The agent's LLDP frame parsing and its kernel parameters."""

from ramdisk import cmdline
from ramdisk.collectors import lldp
from tests.harness.lldp_frames import as_ramdisk_reports, frame, switch_tlvs, tlv

TLVS = switch_tlvs("52:54:00:ab:cd:ef", "Ethernet1/7", "leaf-1")


def test_frame_parsed_to_ipa_format():
    assert lldp.parse_frame(frame("52:54:00:ab:cd:01", TLVS)) == as_ramdisk_reports(TLVS)


def test_vlan_tagged_frame():
    raw = frame("52:54:00:ab:cd:01", TLVS)
    tagged = raw[:12] + bytes.fromhex("81000064") + raw[12:]
    assert lldp.parse_frame(tagged) == as_ramdisk_reports(TLVS)


def test_other_frames_and_truncation():
    raw = frame("52:54:00:ab:cd:01", TLVS)
    assert lldp.parse_frame(raw[:12] + b"\x08\x00" + raw[14:]) is None  # IPv4
    assert lldp.parse_frame(raw[:10]) is None
    first_two = lldp.parse_frame(raw[:14] + TLVS[0] + TLVS[1] + tlv(5, b"cut")[:4])
    assert first_two == as_ramdisk_reports(TLVS[:2])


def test_listen_without_interfaces_returns_at_once():
    assert lldp.listen(["no-such-if0"], 5.0) == {}


def test_cmdline():
    params = cmdline.parse("ipa-collect-lldp=1 ipa-lldp-timeout=4.5")
    assert params.collect_lldp and params.lldp_timeout == 4.5
    params = cmdline.parse("ipa-lldp-timeout=9999")
    assert not params.collect_lldp and params.lldp_timeout == cmdline.DEFAULT_LLDP_TIMEOUT
    assert cmdline.parse("ipa-lldp-timeout=x").lldp_timeout == cmdline.DEFAULT_LLDP_TIMEOUT
