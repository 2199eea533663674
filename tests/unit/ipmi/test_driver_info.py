"""driver_info parsing: defaults, every malformed field named, secrets never shown."""

import pytest

from ironic_tripleo.exception import InvalidDriverInfo
from ironic_tripleo.ipmi import driver_info


def test_minimal_driver_info_gets_defaults():
    bmc = driver_info.parse({"ipmi_address": "10.0.0.5"})
    assert bmc == driver_info.BMC(address="10.0.0.5", port=623, username="", password="")
    assert bmc.label == "10.0.0.5:623"


def test_full_driver_info():
    bmc = driver_info.parse({
        "ipmi_address": "bmc-1.example.org", "ipmi_port": "6230",
        "ipmi_username": "admin", "ipmi_password": "pw", "ipmi_hex_kg_key": "0a0B",
        "ipmi_priv_level": "operator", "ipmi_cipher_suite": "3",
        "ipmi_protocol_version": "2.0", "ipmi_bridging": "no"})
    assert (bmc.address, bmc.port, bmc.username, bmc.password) == (
        "bmc-1.example.org", 6230, "admin", "pw")
    assert bmc.kg_key == b"\x0a\x0b"
    assert bmc.priv_level == 3


def test_ipv6_label_has_brackets():
    assert driver_info.parse({"ipmi_address": "::1", "ipmi_port": 623}).label == "[::1]:623"


def test_repr_hides_secrets():
    bmc = driver_info.parse({"ipmi_address": "10.0.0.5", "ipmi_password": "hunter2",
                             "ipmi_hex_kg_key": "abcd"})
    assert "hunter2" not in repr(bmc)
    assert "abcd" not in repr(bmc) and "\\xab" not in repr(bmc)


def test_all_problems_in_one_error():
    with pytest.raises(InvalidDriverInfo) as e:
        driver_info.parse({"ipmi_port": "abc", "ipmi_priv_level": "root"}, node="node-7")
    text = str(e.value)
    assert text.startswith("Node node-7: ")
    assert "driver_info ipmi_port 'abc' is not an integer 1-65535" in text
    assert "ipmi_priv_level 'root' is not one of" in text
    assert text.endswith("missing ipmi_address")
    assert e.value.kwargs["missing_only"] is False


def test_missing_only_is_flagged():
    with pytest.raises(InvalidDriverInfo) as e:
        driver_info.parse({}, node="n")
    assert str(e.value) == "Node n: missing ipmi_address"
    assert e.value.kwargs["missing_only"] is True


@pytest.mark.parametrize("field,value,words", [
    ("ipmi_port", 0, "not an integer 1-65535"),
    ("ipmi_port", 70000, "not an integer 1-65535"),
    ("ipmi_port", True, "not an integer 1-65535"),
    ("ipmi_port", 6.5, "not an integer 1-65535"),
    ("ipmi_address", "bad host!", "not an IP address or host name"),
    ("ipmi_username", "u" * 17, "at most 16 bytes"),
    ("ipmi_hex_kg_key", "xyz1", "hexadecimal"),
    ("ipmi_hex_kg_key", "abc", "hexadecimal"),
    ("ipmi_cipher_suite", "2", "pyghmi negotiates 17 or 3"),
    ("ipmi_protocol_version", "1.5", "only '2.0'"),
    ("ipmi_bridging", "single", "only 'no'"),
])
def test_malformed_fields(field, value, words):
    info = {"ipmi_address": "10.0.0.5", field: value}
    problems = driver_info.find_problems(info)
    assert problems[0] == []
    assert len(problems[1]) == 1 and field in problems[1][0] and words in problems[1][0]


def test_password_value_never_in_error():
    secret = "p" * 25
    with pytest.raises(InvalidDriverInfo) as e:
        driver_info.parse({"ipmi_address": "10.0.0.5", "ipmi_password": secret})
    assert "ipmi_password" in str(e.value) and secret not in str(e.value)


def test_common_properties_are_ironics_keys():
    assert set(driver_info.COMMON_PROPERTIES) >= {
        "ipmi_address", "ipmi_port", "ipmi_username", "ipmi_password"}
