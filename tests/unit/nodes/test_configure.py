"""Root device choice as TripleO makes it: strategy, minimum size, hint, local_gb."""

import types

import pytest

from ironic_tripleo.nodes import configure

GiB = 1024 ** 3
DISKS = [
    {"name": "/dev/sda", "size": 50 * GiB, "wwn": "0x1", "serial": "S1"},
    {"name": "/dev/sdb", "size": 120 * GiB, "wwn_with_extension": "0x2ff", "wwn": "0x2"},
    {"name": "/dev/sdc", "size": 2 * GiB, "serial": "S3"},
    {"name": "/dev/sdd", "size": 80 * GiB},
]


@pytest.mark.parametrize(("strategy", "minimum", "name"), [
    ("smallest", 4, "/dev/sda"),
    ("smallest", 1, "/dev/sdc"),
    ("largest", 4, "/dev/sdb"),
    ("sdd,sdb", 4, "/dev/sdd"),
    ("sdc,sdb", 4, "/dev/sdb"),  # sdc is below the minimum size
    ("/dev/sda", 4, "/dev/sda"),
])
def test_choose_root_device(strategy, minimum, name):
    assert configure.choose_root_device(DISKS, strategy, minimum)["name"] == name


def test_no_disk_fits():
    with pytest.raises(ValueError, match="no disk of at least 500 GiB"):
        configure.choose_root_device(DISKS, "largest", 500)
    with pytest.raises(ValueError, match="none of the disks sdx, sdy is present"):
        configure.choose_root_device(DISKS, "sdx,sdy", 4)


@pytest.mark.parametrize(("index", "hint"), [
    (0, {"wwn": "0x1"}), (1, {"wwn_with_extension": "0x2ff"}), (2, {"serial": "S3"})])
def test_hint_order(index, hint):
    assert configure.root_device_hint(DISKS[index]) == hint


def test_disk_without_identity_is_refused():
    with pytest.raises(ValueError, match="/dev/sdd has no WWN nor serial"):
        configure.root_device_hint(DISKS[3])


class Conn:
    """Ironic without an inventory, discoverd with one; records patches."""

    def __init__(self, disks):
        self.patches = []
        self.baremetal = types.SimpleNamespace(
            get_node_inventory=self._no_inventory,
            patch_node=lambda node, patch: self.patches.append(patch))
        self.baremetal_introspection = types.SimpleNamespace(
            get_introspection_data=lambda node: {"inventory": {"disks": disks}})

    @staticmethod
    def _no_inventory(node):
        import openstack.exceptions
        raise openstack.exceptions.NotFoundException("no inventory")


def node(**properties):
    return types.SimpleNamespace(id="u1", name="n1", driver_info={}, properties=properties)


def test_configure_sets_hint_and_local_gb_minus_one():
    conn = Conn(DISKS)
    [result] = configure.configure(conn, [node()], root_device="largest")
    assert result.root_device == {"wwn_with_extension": "0x2ff"} and result.local_gb == 119
    assert conn.patches == [[
        {"op": "add", "path": "/properties/root_device",
         "value": {"wwn_with_extension": "0x2ff"}},
        {"op": "add", "path": "/properties/local_gb", "value": 119}]]


def test_existing_hints_kept_unless_overwrite():
    conn = Conn(DISKS)
    [result] = configure.configure(conn, [node(root_device={"serial": "X"})],
                                   root_device="largest")
    assert result.root_device == {"serial": "X"} and conn.patches == []
    [result] = configure.configure(conn, [node(root_device={"serial": "X"})],
                                   root_device="largest", overwrite=True)
    assert result.root_device == {"wwn_with_extension": "0x2ff"}


def test_no_inspection_data_is_that_nodes_error():
    conn = Conn(DISKS)
    conn.baremetal_introspection.get_introspection_data = lambda n: {}
    [result] = configure.configure(conn, [node()], root_device="smallest",
                                   deploy_kernel="file:///k")
    assert result.error == "no inspection data: introspect the node first"
    assert conn.patches == [[{"op": "add", "path": "/driver_info/deploy_kernel",
                              "value": "file:///k"}]]
