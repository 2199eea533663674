import json

import yaml

from ahc_rules import emit
from ahc_rules.facts import Node
from ahc_rules.matcher import NodeFacts
from ahc_rules.scheduling import RoleScheduling

ZERO = {"resources:VCPU": "0", "resources:MEMORY_MB": "0", "resources:DISK_GB": "0"}


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
                           {"compute": RoleScheduling("compute", "bm-compute", None)})
    assert flavors == [{"name": "compute", "vcpus": 8, "ram": 8192, "disk": 100,
                        "properties": {"resources:CUSTOM_BM_COMPUTE": "1", **ZERO}}]


def test_camel_case():
    assert emit.camel_case("ceph-storage") == "CephStorage"
    assert emit.camel_case("block_storage.x") == "BlockStorageX"
    assert emit.camel_case("control") == "Control"


def test_write_all(tmp_path):
    paths = emit.write_all(tmp_path / "out", {"ceph-storage": [node("a", 4, 8, [10])]})
    assert json.loads(paths[0].read_text())[0]["properties"] == {
        "resources:CUSTOM_BAREMETAL_CEPH_STORAGE": "1", **ZERO,
        "trait:CUSTOM_PROFILE_CEPH_STORAGE": "required"}
    script = paths[1].read_text()
    assert "openstack flavor create --id auto --vcpus 4 --ram 8192 --disk 10 ceph-storage" in script
    assert ("--property resources:CUSTOM_BAREMETAL_CEPH_STORAGE=1 --property resources:VCPU=0"
            in script)
    assert "--property trait:CUSTOM_PROFILE_CEPH_STORAGE=required ceph-storage" in script
    # refused by Nova from compute API 2.86 on: never in the flavors
    assert "capabilities:profile" not in script
    assert yaml.safe_load(paths[2].read_text()) == {"parameter_defaults": {
        "CephStorageCount": 1, "OvercloudCephStorageFlavor": "ceph-storage"}}
