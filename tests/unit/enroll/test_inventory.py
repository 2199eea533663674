"""Inventory parsing and validation: every error names the node and the field."""

import itertools
import json

import pytest

from ironic_tripleo.enroll.inventory import InventoryError, load_inventory, parse_text, validate

BMC_PORTS = itertools.count(7000)


def good(**overrides):
    """A valid entry; each one has its own BMC port (two entries on one BMC clash)."""
    node = {"name": "ctrl-0", "pm_type": "ipmi", "pm_addr": "127.0.0.1",
            "pm_port": str(next(BMC_PORTS)),
            "pm_user": "admin", "pm_password": "pw", "mac": ["52:54:00:AA:BB:01"],
            "cpu": "4", "memory": "8192", "disk": "40", "arch": "x86_64"}
    node.update(overrides)
    return {k: v for k, v in node.items() if v is not None}


def errors_of(*nodes):
    with pytest.raises(InventoryError) as err:
        validate({"nodes": list(nodes)})
    return err.value.errors


def test_good_entry_maps_to_ironic_fields():
    [entry] = validate({"nodes": [good(capabilities="profile:control,boot_option:local",
                                       pm_port="6230")]})
    assert entry.driver == "tripleo-ipmi"
    assert entry.driver_info() == {"ipmi_address": "127.0.0.1", "ipmi_port": 6230,
                                   "ipmi_username": "admin", "ipmi_password": "pw"}
    assert entry.properties() == {"cpus": 4, "memory_mb": 8192, "local_gb": 40,
                                  "cpu_arch": "x86_64",
                                  "capabilities": "profile:control,boot_option:local"}
    assert entry.macs == ["52:54:00:aa:bb:01"]
    assert "pw" not in repr(entry)


@pytest.mark.parametrize("pm_type", ["ipmi", "pxe_ipmitool", "tripleo-ipmi"])
def test_pm_types_map_to_tripleo_ipmi(pm_type):
    [entry] = validate({"nodes": [good(pm_type=pm_type)]})
    assert entry.driver == "tripleo-ipmi"


def test_defaults_port_623_and_optional_hardware():
    [entry] = validate({"nodes": [good(pm_port=None, cpu=None, memory=None, disk=None,
                                       arch=None, pm_type=None)]})
    assert entry.port == 623 and entry.properties() == {}


def test_capabilities_as_mapping():
    [entry] = validate({"nodes": [good(capabilities={"profile": "compute", "uefi": True})]})
    assert entry.properties()["capabilities"] == "profile:compute,uefi:true"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"pm_port": "x"}, "node 2 (ctrl-1): pm_port 'x' is not an integer 1-65535"),
    ({"pm_port": 0}, "node 2 (ctrl-1): pm_port 0 is not an integer 1-65535"),
    ({"pm_port": 70000}, "node 2 (ctrl-1): pm_port 70000 is not an integer 1-65535"),
    ({"pm_port": True}, "node 2 (ctrl-1): pm_port True is not an integer 1-65535"),
    ({"pm_type": "amt"}, "node 2 (ctrl-1): pm_type 'amt' is not supported"),
    ({"pm_addr": None}, "node 2 (ctrl-1): pm_addr is missing"),
    ({"pm_addr": "bad host!"}, "node 2 (ctrl-1): pm_addr 'bad host!' is not an IP address"),
    ({"pm_addr": "300.1.1.1"}, "node 2 (ctrl-1): pm_addr '300.1.1.1' is not an IP address"),
    ({"pm_user": None}, "node 2 (ctrl-1): pm_user is missing"),
    ({"pm_user": 5}, "node 2 (ctrl-1): pm_user 5 must be a non-empty string"),
    ({"pm_password": None}, "node 2 (ctrl-1): pm_password is missing"),
    ({"mac": ["zz:54:00:aa:bb:01"]}, "node 2 (ctrl-1): mac 'zz:54:00:aa:bb:01' is not a MAC"),
    ({"mac": 5}, "node 2 (ctrl-1): mac 5 must be a list of MAC addresses"),
    ({"cpu": "four"}, "node 2 (ctrl-1): cpu 'four' is not an integer >= 1"),
    ({"memory": "-1"}, "node 2 (ctrl-1): memory '-1' is not an integer >= 1"),
    ({"disk": "1.5"}, "node 2 (ctrl-1): disk '1.5' is not an integer >= 0"),
    ({"arch": "sparc"}, "node 2 (ctrl-1): arch 'sparc' is not one of"),
    ({"capabilities": "profile"}, "node 2 (ctrl-1): capabilities 'profile' must be"),
    ({"capabilities": 3}, "node 2 (ctrl-1): capabilities 3 must be"),
    ({"name": "ctrl 1"}, "node 2 (ctrl 1): name 'ctrl 1' is invalid"),
])
def test_each_error_names_node_and_field(overrides, message):
    third = good(name="ctrl-1", mac=["52:54:00:00:00:03"])
    third.update(overrides)
    third = {k: v for k, v in third.items() if v is not None}
    nodes = [good(name="a", mac=["52:54:00:00:00:01"]), good(name="b", mac=None), third]
    errors = errors_of(*nodes)
    assert len(errors) == 1, errors
    assert errors[0].startswith(message), errors


def test_all_errors_reported_at_once():
    errors = errors_of(good(pm_port="x"), good(name="n1", mac=None, cpu="y"))
    assert [e.split(":")[0] for e in errors] == ["node 0 (ctrl-0)", "node 1 (n1)"]


def test_node_not_a_mapping():
    assert errors_of(good(), "oops") == ["node 1: must be a mapping, not str"]


def test_unnamed_node_with_only_ports_is_accepted():
    [entry] = validate({"nodes": [good(name=None, mac=None,
                                       ports=[{"address": "52:54:00:aa:bb:07"}])]})
    assert entry.name is None and entry.macs == ["52:54:00:aa:bb:07"]


def test_fake_node_without_any_identity_is_refused():
    [error] = errors_of({"pm_type": "fake-hardware"})
    assert error.startswith("node 0 (-): needs a name, uuid, ports or pm_addr")


def test_duplicate_names_and_macs():
    errors = errors_of(good(pm_port="6230"), good(mac=["52:54:00:00:00:09"]),
                       good(name="other", mac=["52:54:00:aa:bb:01"]),
                       good(name="third", mac=None, pm_port="6230"))
    assert errors == [
        "node 1 (ctrl-0): name 'ctrl-0' is already used by node 0 (ctrl-0)",
        "node 2 (other): mac 52:54:00:aa:bb:01 is already used by node 0 (ctrl-0)",
        "node 3 (third): bmc 127.0.0.1:6230 is already used by node 0 (ctrl-0)",
    ]


@pytest.mark.parametrize("doc", [{"nodes": "x"}, {"machines": []}, "text", 5])
def test_top_level_shape(doc):
    with pytest.raises(InventoryError, match="'nodes' list"):
        validate(doc)


def test_bare_list_accepted():
    assert len(validate([good()])) == 1


def test_json_and_yaml_by_content(tmp_path):
    json_file = tmp_path / "inv.yaml"  # the name does not matter, the content does
    json_file.write_text(json.dumps({"nodes": [good()]}))
    yaml_file = tmp_path / "inv.json"
    yaml_file.write_text("nodes:\n  - name: y0\n    pm_addr: bmc.example.com\n"
                         "    pm_user: admin\n    pm_password: pw\n"
                         "    mac: [52:54:00:aa:bb:02]\n    cpu: 2\n")
    assert load_inventory(json_file)[0].name == "ctrl-0"
    [entry] = load_inventory(yaml_file)
    assert (entry.name, entry.address, entry.cpus) == ("y0", "bmc.example.com", 2)


def test_unparsable_and_unreadable(tmp_path):
    with pytest.raises(InventoryError, match="cannot be parsed"):
        parse_text('{"nodes": [', "x.json")
    with pytest.raises(InventoryError, match="cannot be parsed"):
        parse_text("nodes: [a, b", "x.yaml")
    with pytest.raises(InventoryError, match="cannot be read"):
        load_inventory(tmp_path / "missing.json")


@pytest.mark.parametrize("keys", [("kernel_id", "ramdisk_id"), ("deploy_kernel", "deploy_ramdisk")])
def test_deploy_images_go_to_driver_info(keys):
    [entry] = validate({"nodes": [good(**{keys[0]: "file:///var/lib/ironic/k",
                                          keys[1]: "http://198.51.100.1/r"})]})
    info = entry.driver_info()
    assert info["deploy_kernel"] == "file:///var/lib/ironic/k"
    assert info["deploy_ramdisk"] == "http://198.51.100.1/r"


def test_deploy_image_given_twice_is_an_error():
    errors = errors_of(good(kernel_id="a", deploy_kernel="b"))
    assert any("kernel_id and deploy_kernel both given" in e for e in errors)
