"""TripleO's current instackenv against a real Ironic 39: ports, pm_types, re-import."""

import json
import secrets
import uuid

import pytest

from baremetal_common.cloud import connect
from ironic_tripleo.enroll.enroll import enroll
from ironic_tripleo.enroll.inventory import load_inventory, validate
from tests.harness.enroll_cli import count, run_cli


def mac(tag, i):
    return f"52:54:01:{tag[:2]}:{tag[2:]}:{i:02x}"


@pytest.fixture(scope="module")
def all_types_ironic(tmp_path_factory):
    """A real Ironic with every hardware type the pm_types map to enabled."""
    from ironic_tripleo.lab.ironic_service import IronicConfig, IronicService
    from tests.harness.ports import free_port

    service = IronicService(IronicConfig(
        workdir=tmp_path_factory.mktemp("ironic"), port=free_port(),
        hardware_types=("tripleo-ipmi", "redfish", "idrac", "manual-management",
                        "fake-hardware"),
        power_interfaces=("pyghmi", "redfish", "idrac-redfish", "fake"),
        management_interfaces=("pyghmi", "redfish", "idrac-redfish", "noop", "fake"),
        boot_interfaces=("ipxe", "pxe", "fake"),
        deploy_interfaces=("fake", "iscsi", "direct"),
        inspect_interfaces=("no-inspect", "fake")))
    service.start()
    yield service
    service.stop()


def tripleo_example(tag):
    """TripleO's documented shape: ports with physical_network and local_link."""
    return {"nodes": [
        {"ports": [{"address": mac(tag, 1), "physical_network": "physnet1",
                    "local_link_connection": {"switch_id": "52:54:00:1d:8c:61",
                                              "port_id": "p0", "switch_info": "tor1"}}],
         "name": f"node01-{tag}", "cpu": "4", "memory": "6144", "disk": "40",
         "arch": "x86_64", "pm_type": "ipmi", "pm_user": "admin",
         "pm_password": "p@55w0rd!", "pm_addr": "198.51.100.205"},
        {"ports": [{"address": mac(tag, 2)}], "_comment": "no name: found by its port",
         "cpu": "4", "memory": "6144", "disk": "40", "arch": "x86_64",
         "pm_type": "ipmi", "pm_user": "admin", "pm_password": "p@55w0rd!",
         "pm_addr": "198.51.100.206", "profile": "compute", "resource_class": "baremetal",
         "root_device": {"serial": "S-1"}, "deploy_interface": "iscsi",
         "conductor_group": "", "platform": "sm"},
    ]}


def test_tripleo_example_enrolls_with_its_ports(baremetal, tmp_path):
    tag = secrets.token_hex(2)
    path = tmp_path / "instackenv.json"
    path.write_text(json.dumps(tripleo_example(tag)))
    first, second = enroll(baremetal, load_inventory(path))
    [port] = baremetal.ports(node_id=first.node_id, details=True)
    assert port.address == mac(tag, 1) and port.physical_network == "physnet1"
    assert port.local_link_connection == {"switch_id": "52:54:00:1d:8c:61",
                                          "port_id": "p0", "switch_info": "tor1"}
    [port] = baremetal.ports(node_id=second.node_id, details=True)
    assert port.physical_network == "ctlplane" and port.is_pxe_enabled
    node = baremetal.get_node(second.node_id)
    assert node.name is None and node.deploy_interface == "iscsi"
    assert node.properties["capabilities"] == "profile:compute"
    assert node.properties["root_device"] == {"serial": "S-1"}
    assert node.extra == {"tripleo_platform": "sm"}
    # Imported again (the unnamed node found by its port): updated, nothing added.
    before = count(baremetal)
    again = enroll(baremetal, load_inventory(path))
    assert [r.action for r in again] == ["updated", "updated"]
    assert [r.node_id for r in again] == [first.node_id, second.node_id]
    assert count(baremetal) == before


def test_reimport_finds_nodes_by_uuid_mac_and_bmc(all_types_ironic):
    baremetal = connect(all_types_ironic.url).baremetal
    tag = secrets.token_hex(2)
    node_uuid = str(uuid.uuid4())
    base = {"pm_type": "redfish", "pm_user": "root", "pm_password": "calvin"}
    doc = {"nodes": [
        {**base, "uuid": node_uuid, "name": f"u-{tag}", "pm_addr": "198.51.100.50",
         "pm_system_id": f"/redfish/v1/Systems/{tag}-1"},
        {**base, "name": f"m-{tag}", "pm_addr": "198.51.100.51",
         "pm_system_id": f"/redfish/v1/Systems/{tag}-2", "ports": [{"address": mac(tag, 3)}]},
        {**base, "pm_addr": "198.51.100.52", "pm_system_id": f"/redfish/v1/Systems/{tag}-3"},
    ]}
    created = enroll(baremetal, validate(doc))
    assert created[0].node_id == node_uuid
    before = count(baremetal)
    # Renamed (found by UUID), renamed (found by MAC), unnamed (found by BMC system).
    doc["nodes"][0]["name"] = f"u2-{tag}"
    del doc["nodes"][1]["name"]
    doc["nodes"][2]["pm_addr"] = "https://198.51.100.52/"
    doc["nodes"][2]["cpu"] = 16
    again = enroll(baremetal, validate(doc))
    assert [r.action for r in again] == ["updated"] * 3
    assert [r.node_id for r in again] == [r.node_id for r in created]
    assert count(baremetal) == before
    assert baremetal.get_node(node_uuid).name == f"u2-{tag}"
    assert baremetal.get_node(created[2].node_id).properties["cpus"] == 16


def test_port_fields_updated_on_reimport(baremetal, tmp_path):
    tag = secrets.token_hex(2)
    doc = {"nodes": [{"name": f"p-{tag}", "pm_addr": "198.51.100.60", "pm_user": "u",
                      "pm_password": "p", "ports": [{"address": mac(tag, 4)}]}]}
    [result] = enroll(baremetal, validate(doc))
    doc["nodes"][0]["ports"][0].update(
        physical_network="storage",
        local_link_connection={"switch_id": "00000000000000aa", "port_id": "Eth1/4"})
    enroll(baremetal, validate(doc))
    [port] = baremetal.ports(node_id=result.node_id, details=True)
    assert port.physical_network == "storage"
    assert port.local_link_connection == {"switch_id": "00000000000000aa",
                                          "port_id": "Eth1/4"}


PM_TYPES = {
    "ipmi": {"pm_addr": "198.51.100.70", "pm_port": 6230},
    "tripleo-ipmi": {"pm_addr": "198.51.100.71"},
    "redfish": {"pm_addr": "198.51.100.72", "pm_system_id": "/redfish/v1/Systems/1"},
    "idrac": {"pm_addr": "198.51.100.73"},
    "ilo": {"pm_addr": "198.51.100.74"},
    "irmc": {"pm_addr": "https://198.51.100.75:8443"},
    "xclarity": {"pm_addr": "198.51.100.76"},
    "manual-management": {"name": "mm"},
    "fake-hardware": {"name": "fk"},
}


def test_each_pm_type_creates_a_node_ironic_accepts(all_types_ironic, tmp_path):
    baremetal = connect(all_types_ironic.url).baremetal
    nodes = [{"pm_type": pm_type, "pm_user": "root", "pm_password": "calvin", **fields}
             for pm_type, fields in PM_TYPES.items()]
    for node in nodes:
        if node["pm_type"] in ("manual-management", "fake-hardware"):
            del node["pm_user"], node["pm_password"]
    path = tmp_path / "instackenv.yaml"
    path.write_text(json.dumps({"nodes": nodes}))
    before = {n.id for n in baremetal.nodes()}
    assert run_cli(str(path), "--ironic-url", all_types_ironic.url) == 0
    new = [n for n in baremetal.nodes(details=True) if n.id not in before]
    by_type = {}
    for node in new:
        by_type.setdefault(node.driver, []).append(node)
    assert {k: len(v) for k, v in by_type.items()} == {
        "tripleo-ipmi": 2, "redfish": 4, "idrac": 1, "manual-management": 1,
        "fake-hardware": 1}
    for node in new:
        checks = baremetal.validate_node(node, required=())
        # Ironic parsed the driver_info: its power and management validation pass.
        assert checks["power"].result, (node.driver, checks["power"].reason)
        assert checks["management"].result, (node.driver, checks["management"].reason)
    [irmc] = [n for n in by_type["redfish"]
              if n.driver_info["redfish_address"] == "https://198.51.100.75:8443"]
    assert irmc.driver_info["redfish_system_id"] == "/redfish/v1/Systems/0"
    [idrac] = by_type["idrac"]
    assert idrac.driver_info["redfish_address"] == "https://198.51.100.73"


def test_every_malformed_field_named_and_nothing_created(baremetal, real_ironic, tmp_path,
                                                         caplog):
    tag = secrets.token_hex(2)
    good = {"pm_type": "ipmi", "pm_addr": "198.51.100.80", "pm_user": "u",
            "pm_password": "p", "ports": [{"address": mac(tag, 9)}]}
    bad = [
        ("pm_port", "x", "pm_port 'x' is not an integer 1-65535"),
        ("pm_type", "amt", "pm_type 'amt' is not supported"),
        ("pm_addr", "bad host!", "pm_addr 'bad host!' is not an IP address"),
        ("pm_user", 7, "pm_user 7 must be a non-empty string"),
        ("uuid", "u-1", "uuid 'u-1' is not a UUID"),
        ("ports", [{"address": "zz"}], "ports[0].address 'zz' is not a MAC address"),
        ("ports", [{"address": mac(tag, 10), "local_link_connection": {"port_id": "p"}}],
         "ports[0].local_link_connection.switch_id is missing"),
        ("mac", ["zz"], "mac 'zz' is not a MAC address"),
        ("cpu", "four", "cpu 'four' is not an integer >= 1"),
        ("memory", 0, "memory 0 is not an integer >= 1"),
        ("disk", "-2", "disk '-2' is not an integer >= 0"),
        ("arch", "sparc", "arch 'sparc' is not one of"),
        ("capabilities", "profile", "capabilities 'profile' must be"),
        ("profile", "a b", "profile 'a b' is invalid"),
        ("root_device", {"disk": "sda"}, "root_device.disk is not a root device hint"),
        ("boot_interface", 1, "boot_interface 1 must be a non-empty string"),
        ("resource_class", "a b", "resource_class 'a b' is invalid"),
        ("platform", "x", "platform 'x' needs arch"),
        ("conductor_group", "a/b", "conductor_group 'a/b' is invalid"),
        ("kernel_id", 5, "kernel_id 5 must be a non-empty string"),
        ("pm_adress", "198.51.100.1", "unknown field 'pm_adress'"),
    ]
    nodes = [good]
    for index, (field, value, _) in enumerate(bad, start=1):
        node = {**good, "name": f"bad-{tag}-{index}", "pm_port": 7000 + index,
                "ports": [{"address": mac(tag, 20 + index)}], field: value}
        nodes.append(node)
    path = tmp_path / "instackenv.json"
    path.write_text(json.dumps({"nodes": nodes}))
    before = count(baremetal)
    assert run_cli(str(path), "--ironic-url", real_ironic.url) == 1
    for index, (_, _, message) in enumerate(bad, start=1):
        assert f"node {index} (bad-{tag}-{index}): {message}" in caplog.text
    assert "node 0 " not in caplog.text
    assert count(baremetal) == before


def test_csv_inventory(all_types_ironic, tmp_path):
    baremetal = connect(all_types_ironic.url).baremetal
    tag = secrets.token_hex(2)
    path = tmp_path / "nodes.csv"
    path.write_text(f"ipmi,198.51.100.90,admin,pw,{mac(tag, 40)},{6000 + int(tag, 16) % 999}\n"
                    f"redfish,198.51.100.91,root,pw,{mac(tag, 41)}\n")
    assert run_cli(str(path), "--ironic-url", all_types_ironic.url) == 0
    owners = {p.address: p.node_id for p in baremetal.ports(details=True)}
    ipmi = baremetal.get_node(owners[mac(tag, 40)])
    assert ipmi.driver == "tripleo-ipmi" and ipmi.driver_info["ipmi_address"] == "198.51.100.90"
    redfish = baremetal.get_node(owners[mac(tag, 41)])
    assert redfish.driver_info["redfish_address"] == "https://198.51.100.91"


def test_hardware_type_not_enabled_refused_before_any_change(baremetal, real_ironic,
                                                             tmp_path, caplog):
    tag = secrets.token_hex(2)
    doc = {"nodes": [
        {"name": f"ok-{tag}", "pm_addr": "198.51.100.95", "pm_user": "u", "pm_password": "p"},
        {"name": f"rf-{tag}", "pm_type": "redfish", "pm_addr": "198.51.100.96"}]}
    path = tmp_path / "instackenv.json"
    path.write_text(json.dumps(doc))
    before = count(baremetal)
    assert run_cli(str(path), "--ironic-url", real_ironic.url) == 1
    assert f"node 1 (rf-{tag}): hardware type 'redfish' is not enabled in Ironic" in caplog.text
    assert count(baremetal) == before
