"""The recorded payload of a lab node (agent run in a namespace) keeps its contract.

``data/payload_lab_node.json`` is what discoverd, ahc_rules and the lab can use as a
fixture; these checks are what they rely on.
"""

import json

from hardware import matcher

from tests.harness.ramdisk_samples import DATA

PAYLOAD = json.loads((DATA / "payload_lab_node.json").read_text())

INVENTORY_KEYS = {"interfaces", "cpu", "disks", "memory", "bmc_address", "bmc_v6address",
                  "system_vendor", "boot", "hostname"}
INTERFACE_KEYS = {"name", "mac_address", "ipv4_address", "ipv6_address", "has_carrier", "lldp",
                  "vendor", "product", "client_id", "biosdevname", "speed_mbps"}


def test_inventory_follows_ipa_schema():
    inv = PAYLOAD["inventory"]
    assert set(inv) >= INVENTORY_KEYS
    assert all(set(i) == INTERFACE_KEYS for i in inv["interfaces"])
    assert set(inv["cpu"]) >= {"count", "architecture", "model_name", "frequency", "flags"}
    assert set(inv["memory"]) == {"total", "physical_mb"}
    assert set(inv["system_vendor"]) == {"product_name", "serial_number", "manufacturer",
                                         "firmware"}
    assert set(inv["boot"]) == {"current_boot_mode", "pxe_interface"}
    assert PAYLOAD["boot_interface"] == inv["boot"]["pxe_interface"] == "52:54:00:aa:bb:01"
    assert PAYLOAD["error"] is None


def test_facts_work_with_the_hardware_matcher():
    facts = [tuple(f) for f in PAYLOAD["data"]]
    assert all(isinstance(v, str) for f in facts for v in f)
    arr: dict = {}
    # match_spec consumes the lines it matches: give it copies
    assert matcher.match_spec(("network", "$eth", "serial", "$mac"), list(facts), arr)
    assert arr == {"eth": "eth0", "mac": "52:54:00:aa:bb:01"}
    assert matcher.match_spec(("memory", "total", "size", "ge(1)"), list(facts), {})
    sysvars = matcher.generate_filename_and_macs(list(facts))
    assert sysvars["serial"] == ["52:54:00:aa:bb:01"]
    assert sysvars["sysname"].endswith("52-54-00-aa-bb-01")
