import json

import yaml

from ahc_rules import emit
from ahc_rules.facts import Node
from ahc_rules.matcher import NodeFacts


def node(name, cpus, mem_gib, disks, **props):
    facts = [("cpu", "logical", "number", cpus), ("memory", "total", "size", mem_gib * 2**30)]
    facts += [("disk", f"sd{i}", "size", size) for i, size in enumerate(disks)]
    return Node(name, NodeFacts(facts), properties=props)


def test_resources_and_smallest():
    assert emit.node_resources(node("a", 8, 16, [2, 100, 50])) == emit.Resources(8, 16384, 50)
    assert emit.node_resources(node("a", 8, 16, [], local_gb=10)).disk_gb == 10
    assert emit.node_resources(Node("x", NodeFacts([]))) is None
    flavors = emit.flavors({"compute": [node("a", 8, 16, [100]), node("b", 16, 8, [200])],
                            "none": [Node("x", NodeFacts([]))]},
                           {"compute": {"resources:CUSTOM_BAREMETAL": "1"}})
    assert flavors == [{"name": "compute", "vcpus": 8, "ram": 8192, "disk": 100,
                        "properties": {"capabilities:profile": "compute",
                                       "resources:CUSTOM_BAREMETAL": "1"}}]


def test_camel_case():
    assert emit.camel_case("ceph-storage") == "CephStorage"
    assert emit.camel_case("block_storage.x") == "BlockStorageX"
    assert emit.camel_case("control") == "Control"


def test_write_all(tmp_path):
    paths = emit.write_all(tmp_path / "out", {"ceph-storage": [node("a", 4, 8, [10])]})
    assert json.loads(paths[0].read_text())[0]["properties"] == {
        "capabilities:profile": "ceph-storage"}
    script = paths[1].read_text()
    assert "openstack flavor create --id auto --vcpus 4 --ram 8192 --disk 10 ceph-storage" in script
    assert "--property capabilities:profile=ceph-storage ceph-storage" in script
    assert yaml.safe_load(paths[2].read_text()) == {"parameter_defaults": {
        "CephStorageCount": 1, "OvercloudCephStorageFlavor": "ceph-storage"}}
