"""TripleO's current instackenv: ports, every pm_type, the node fields, CSV."""

import pytest

from ironic_tripleo.enroll.inventory import InventoryError, csv_to_nodes, parse_text, validate

# The shape of TripleO's documented example (ports with physical_network and
# local_link_connection, no 'mac').
TRIPLEO_EXAMPLE = {"nodes": [
    {"ports": [{"address": "52:54:00:87:c8:2e", "physical_network": "physnet1",
                "local_link_connection": {"switch_id": "52:54:00:1d:8c:61",
                                          "port_id": "p0"}}],
     "name": "node01", "cpu": "4", "memory": "6144", "disk": "40", "arch": "x86_64",
     "pm_type": "ipmi", "pm_user": "admin", "pm_password": "p@55w0rd!",
     "pm_addr": "198.51.100.205"},
    {"ports": [{"address": "52:54:00:87:c8:2f"}],
     "cpu": "4", "memory": "6144", "disk": "40", "arch": "x86_64",
     "pm_type": "ipmi", "pm_user": "admin", "pm_password": "p@55w0rd!",
     "pm_addr": "198.51.100.206"},
]}


def errors_of(*nodes):
    with pytest.raises(InventoryError) as err:
        validate({"nodes": list(nodes)})
    return err.value.errors


def test_tripleo_example_ports():
    first, second = validate(TRIPLEO_EXAMPLE)
    [port] = first.ports
    assert (port.address, port.physical_network) == ("52:54:00:87:c8:2e", "physnet1")
    assert port.local_link_connection == {"switch_id": "52:54:00:1d:8c:61", "port_id": "p0"}
    assert second.name is None and second.ports[0].physical_network == "ctlplane"


def test_mac_still_read_with_deprecation_note(caplog):
    [entry] = validate([{"pm_addr": "198.51.100.1", "pm_user": "u", "pm_password": "p",
                         "mac": ["52:54:00:00:00:01"]}])
    assert entry.macs == ["52:54:00:00:00:01"]
    assert "'mac' is deprecated" in caplog.text and '"ports"' in caplog.text


REDFISH = {"pm_addr": "198.51.100.7", "pm_user": "root", "pm_password": "calvin"}


@pytest.mark.parametrize(("fields", "driver", "info"), [
    ({"pm_type": "ipmi", "pm_addr": "198.51.100.7", "pm_user": "u", "pm_password": "p"},
     "tripleo-ipmi", {"ipmi_address": "198.51.100.7", "ipmi_port": 623,
                      "ipmi_username": "u", "ipmi_password": "p"}),
    ({"pm_type": "redfish", **REDFISH, "pm_system_id": "/redfish/v1/Systems/abc"},
     "redfish", {"redfish_address": "https://198.51.100.7", "redfish_username": "root",
                 "redfish_password": "calvin", "redfish_system_id": "/redfish/v1/Systems/abc"}),
    ({"pm_type": "redfish", **REDFISH, "pm_addr": "http://198.51.100.7", "pm_port": 8000},
     "redfish", {"redfish_address": "http://198.51.100.7:8000", "redfish_username": "root",
                 "redfish_password": "calvin"}),
    ({"pm_type": "idrac", **REDFISH},
     "idrac", {"redfish_address": "https://198.51.100.7", "redfish_username": "root",
               "redfish_password": "calvin",
               "redfish_system_id": "/redfish/v1/Systems/System.Embedded.1"}),
    ({"pm_type": "ilo", **REDFISH},
     "redfish", {"redfish_address": "https://198.51.100.7", "redfish_username": "root",
                 "redfish_password": "calvin", "redfish_system_id": "/redfish/v1/Systems/1"}),
    ({"pm_type": "irmc", **REDFISH, "pm_port": 443},
     "redfish", {"redfish_address": "https://198.51.100.7:443", "redfish_username": "root",
                 "redfish_password": "calvin", "redfish_system_id": "/redfish/v1/Systems/0"}),
    ({"pm_type": "xclarity", **REDFISH, "pm_system_id": "/redfish/v1/Systems/2"},
     "redfish", {"redfish_address": "https://198.51.100.7", "redfish_username": "root",
                 "redfish_password": "calvin", "redfish_system_id": "/redfish/v1/Systems/2"}),
    ({"pm_type": "fake-hardware", "name": "f"}, "fake-hardware", {}),
])
def test_pm_types_map_to_ironic_hardware_types(fields, driver, info):
    [entry] = validate([fields])
    assert entry.driver == driver
    assert entry.driver_info() == info


def test_node_fields():
    [entry] = validate([{
        "_comment": "rack 4", "uuid": "0C2B7A2A-5A3D-4C1E-9E0B-5F6D3E2A1B00",
        "name": "n1", "pm_addr": "198.51.100.1", "pm_user": "u", "pm_password": "p",
        "arch": "aarch64", "platform": "tegra", "profile": "compute",
        "capabilities": "boot_mode:uefi", "root_device": {"serial": "S123", "size": ">= 100"},
        "deploy_interface": "iscsi", "inspect_interface": "discoverd",
        "resource_class": "baremetal-compute", "conductor_group": "rack4",
        "kernel_id": "file:///k", "ramdisk_id": "file:///r"}])
    assert entry.uuid == "0c2b7a2a-5a3d-4c1e-9e0b-5f6d3e2a1b00"
    assert entry.properties() == {"cpu_arch": "aarch64",
                                  "root_device": {"serial": "S123", "size": ">= 100"},
                                  "capabilities": "boot_mode:uefi,profile:compute"}
    assert entry.fields() == {"deploy_interface": "iscsi", "inspect_interface": "discoverd",
                              "resource_class": "baremetal-compute",
                              "conductor_group": "rack4"}
    assert entry.extra() == {"tripleo_platform": "tegra"}
    assert entry.driver_info()["rescue_kernel"] == "file:///k"


BASE = {"name": "ctrl-1", "pm_addr": "198.51.100.1", "pm_user": "u", "pm_password": "p"}


@pytest.mark.parametrize(("overrides", "message"), [
    ({"uuid": "nope"}, "uuid 'nope' is not a UUID"),
    ({"pm_addr_typo": 1}, "unknown field 'pm_addr_typo'"),
    ({"ports": "52:54:00:00:00:01"}, "ports '52:54:00:00:00:01' must be a list"),
    ({"ports": ["52:54:00:00:00:01"]}, "ports[0] '52:54:00:00:00:01' must be a mapping"),
    ({"ports": [{}]}, "ports[0].address is missing"),
    ({"ports": [{"address": "zz"}]}, "ports[0].address 'zz' is not a MAC address"),
    ({"ports": [{"address": "52:54:00:00:00:01", "physnet": "x"}]},
     "ports[0]: unknown field 'physnet'"),
    ({"ports": [{"address": "52:54:00:00:00:01", "physical_network": 3}]},
     "ports[0].physical_network 3 must be a non-empty string"),
    ({"ports": [{"address": "52:54:00:00:00:01", "local_link_connection": "sw1"}]},
     "ports[0].local_link_connection 'sw1' must be a mapping"),
    ({"ports": [{"address": "52:54:00:00:00:01",
                 "local_link_connection": {"switch_id": "52:54:00:00:00:09"}}]},
     "ports[0].local_link_connection.port_id is missing"),
    ({"ports": [{"address": "52:54:00:00:00:01",
                 "local_link_connection": {"switch_id": "sw", "port_id": "p0"}}]},
     "ports[0].local_link_connection.switch_id 'sw' is not a MAC address"),
    ({"ports": [{"address": "52:54:00:00:00:01",
                 "local_link_connection": {"port_id": "p0", "vlan": "3"}}]},
     "ports[0].local_link_connection: unknown field 'vlan'"),
    ({"pm_type": "redfish", "pm_addr": "https://bad host/"}, "pm_addr 'https://bad host/'"),
    ({"pm_type": "ipmi", "pm_system_id": "/x"}, "pm_system_id is only for Redfish"),
    ({"pm_type": 3}, "pm_type 3 is not supported"),
    ({"profile": "a b"}, "profile 'a b' is invalid"),
    ({"profile": "a", "capabilities": "profile:b"}, "profile 'a' differs from"),
    ({"root_device": "sda"}, "root_device 'sda' must be a mapping"),
    ({"root_device": {"disk": "sda"}}, "root_device.disk is not a root device hint"),
    ({"root_device": {"size": True}}, "root_device.size True must be GiB"),
    ({"root_device": {"serial": ""}}, "root_device.serial '' must be a non-empty string"),
    ({"boot_interface": 5}, "boot_interface 5 must be a non-empty string"),
    ({"resource_class": "a b"}, "resource_class 'a b' is invalid"),
    ({"platform": "tegra"}, "platform 'tegra' needs arch"),
    ({"conductor_group": "a/b"}, "conductor_group 'a/b' is invalid"),
    ({"pm_type": "redfish", "pm_addr": None}, "pm_addr is missing"),
])
def test_new_fields_errors_name_node_and_field(overrides, message):
    node = {**BASE, **overrides}
    node = {k: v for k, v in node.items() if v is not None}
    errors = errors_of({**BASE, "name": "ok", "pm_port": 1}, node)
    assert errors == [e for e in errors if e.startswith("node 1 (")], errors
    assert any(e.startswith(f"node 1 ({node.get('name', '-')}): {message}")
               for e in errors), errors


def test_duplicate_uuid_and_redfish_system():
    uid = "0c2b7a2a-5a3d-4c1e-9e0b-5f6d3e2a1b00"
    errors = errors_of({**BASE, "uuid": uid}, {**BASE, "name": "b", "uuid": uid, "pm_port": 2},
                       {**BASE, "name": "r1", "pm_type": "redfish", "pm_system_id": "/S/1"},
                       {**BASE, "name": "r2", "pm_type": "redfish", "pm_system_id": "/S/1",
                        "pm_addr": "https://198.51.100.1/"},
                       {**BASE, "name": "r3", "pm_type": "redfish", "pm_system_id": "/S/2"})
    assert errors == [f"node 1 (b): uuid {uid} is already used by node 0 (ctrl-1)",
                      "node 3 (r2): bmc 198.51.100.1/S/1 is already used by node 2 (r1)"]


def test_csv_tripleo_columns():
    rows = csv_to_nodes("ipmi,198.51.100.9,admin,pw,52:54:00:AA:00:01\n"
                        "\n"
                        "redfish,198.51.100.10,root,pw,52:54:00:aa:00:02,8443\n")
    assert rows[0] == {"pm_type": "ipmi", "pm_addr": "198.51.100.9", "pm_user": "admin",
                       "pm_password": "pw", "ports": [{"address": "52:54:00:AA:00:01"}]}
    a, b = validate(rows)
    assert a.macs == ["52:54:00:aa:00:01"] and a.port == 623
    assert b.driver_info()["redfish_address"] == "https://198.51.100.10:8443"


def test_csv_by_suffix_and_bad_rows():
    assert len(parse_text("ipmi,198.51.100.9,a,p,52:54:00:aa:00:01\n", "nodes.csv")) == 1
    with pytest.raises(InventoryError) as err:
        parse_text("ipmi,198.51.100.9,a,p\n", "x", file_type="csv")
    assert err.value.errors == ["row 1: has 4 columns, needs 5 or 6: "
                                "pm_type,pm_addr,pm_user,pm_password,mac,pm_port"]


def test_schema_errors_deep_in_ports_with_the_rest_at_once():
    node = {**BASE, "cpu": 2.0, "colour": "red", "ports": [
        {"address": "52:54:00:00:00:01", "local_link_connection": {"switch_id": 5,
                                                                   "port_id": "p0"}},
        {"address": "zz"}]}
    assert errors_of(node) == [
        "node 0 (ctrl-1): unknown field 'colour'",
        "node 0 (ctrl-1): cpu 2.0 is not an integer >= 1",
        "node 0 (ctrl-1): ports[0].local_link_connection.switch_id 5 must be a non-empty "
        "string",
        "node 0 (ctrl-1): ports[1].address 'zz' is not a MAC address like 52:54:00:12:34:56",
    ]


def test_schema_error_in_the_twelfth_node_names_it():
    nodes = [{**BASE, "name": f"n{i}", "pm_port": i + 1} for i in range(12)]
    nodes[11]["ports"] = [{"address": "52:54:00:00:00:01", "physical_network": ""}]
    assert errors_of(*nodes) == ["node 11 (n11): ports[0].physical_network '' must be a "
                                 "non-empty string of up to 64 characters"]
