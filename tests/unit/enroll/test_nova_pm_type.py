"""instackenv entries for Nova servers (pm_type tripleo-nova, written by build-nodes)."""

import pytest

from ironic_tripleo.enroll.inventory import InventoryError, validate

ENTRY = {"name": "qo-0", "pm_type": "tripleo-nova", "pm_addr": "quintupleo",
         "pm_system_id": "8f0c6a2e-6d9a-4a55-9a3a-3f6f0f3b1c11",
         "ports": [{"address": "fa:16:3e:00:00:01"}]}


def test_nova_entry_becomes_tripleo_nova_driver_info():
    entry = validate({"nodes": [ENTRY]})[0]
    assert entry.driver == "tripleo-nova"
    assert entry.driver_info() == {"nova_cloud": "quintupleo",
                                   "nova_server": ENTRY["pm_system_id"]}
    assert entry.bmc_identity() == f"nova:quintupleo/{ENTRY['pm_system_id']}"


def test_nova_entry_needs_the_server():
    broken = {k: v for k, v in ENTRY.items() if k != "pm_system_id"}
    with pytest.raises(InventoryError, match="pm_system_id is missing"):
        validate({"nodes": [broken]})


def test_system_id_still_refused_for_ipmi():
    entry = {**ENTRY, "pm_type": "ipmi", "pm_addr": "127.0.0.1", "pm_user": "a",
             "pm_password": "b"}
    with pytest.raises(InventoryError, match="pm_system_id is only for"):
        validate({"nodes": [entry]})
