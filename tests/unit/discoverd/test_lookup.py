"""Scored lookup of the ramdisk's node."""

import pytest

from discoverd import exception
from discoverd.lookup import choose, lookup_keys, normalize_mac

A, B = "node-a", "node-b"


@pytest.mark.parametrize(("given", "expected"), [
    ("52:54:00:AA:bb:01", "52:54:00:aa:bb:01"), ("01-52-54-00-aa-bb-01", "52:54:00:aa:bb:01"),
    ("52-54-00-aa-bb-01", "52:54:00:aa:bb:01"), ("nonsense", None), (None, None), (5, None),
    ("52:54:00:aa:bb", None), ("zz:54:00:aa:bb:01", None)])
def test_normalize_mac(given, expected):
    assert normalize_mac(given) == expected


def test_lookup_keys_skip_empty_bmc_and_bad_macs():
    data = {"inventory": {"bmc_address": "0.0.0.0", "interfaces": [  # noqa: S104
        {"mac_address": "52:54:00:00:00:01"}, {"mac_address": "bad"}, "junk"]},
        "boot_interface": "01-52-54-00-00-00-02"}
    assert lookup_keys(data) == [("mac", "52:54:00:00:00:01"), ("mac", "52:54:00:00:00:02")]
    data["inventory"]["bmc_address"] = "10.0.0.1"
    assert lookup_keys(data)[0] == ("bmc_address", "10.0.0.1")


def test_single_match():
    keys = [("mac", "m1")]
    assert choose(keys, [(A, "waiting", "mac", "m1")]) == A


def test_unknown_is_lookup_failed():
    with pytest.raises(exception.LookupFailed) as err:
        choose([("mac", "m1")], [])
    assert err.value.code == 404 and "mac m1" in str(err.value)


def test_bmc_outweighs_a_mac():
    rows = [(A, "waiting", "bmc_address", "10.0.0.1"), (B, "waiting", "mac", "m2")]
    assert choose([("bmc_address", "10.0.0.1"), ("mac", "m2")], rows) == A


def test_tie_is_ambiguous_and_names_both():
    rows = [(A, "waiting", "mac", "m1"), (B, "waiting", "mac", "m2")]
    with pytest.raises(exception.AmbiguousLookup) as err:
        choose([("mac", "m1"), ("mac", "m2")], rows)
    assert A in str(err.value) and B in str(err.value) and err.value.code == 409


def test_shared_value_does_not_count():
    rows = [(A, "waiting", "bmc_address", "127.0.0.1"), (B, "waiting", "bmc_address",
                                                           "127.0.0.1"),
            (B, "waiting", "mac", "m2")]
    assert choose([("bmc_address", "127.0.0.1"), ("mac", "m2")], rows) == B
    with pytest.raises(exception.AmbiguousLookup):
        choose([("bmc_address", "127.0.0.1")], rows[:2])


def test_node_not_waiting_is_conflict():
    with pytest.raises(exception.Conflict) as err:
        choose([("mac", "m1")], [(A, "starting", "mac", "m1")])
    assert "starting" in str(err.value)


def test_processing_node_is_chosen_for_the_lease_to_decide():
    assert choose([("mac", "m1")], [(A, "processing", "mac", "m1")]) == A
