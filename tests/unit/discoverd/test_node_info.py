"""NodeInfo: recorded changes and the patch built from them."""

from discoverd.node_info import NodeInfo, format_capabilities, parse_capabilities


def make(**node):
    base = {"id": "n1", "properties": {"capabilities": "boot_option:local", "old": 1},
            "extra": {}, "traits": ["T1"]}
    base.update(node)
    return NodeInfo.from_ironic(base, [{"uuid": "p1", "address": "aa", "pxe_enabled": True}])


def test_capabilities_round_trip():
    assert parse_capabilities("a:1, b:x:y,junk") == {"a": "1", "b": "x:y"}
    assert format_capabilities({"a": "1", "b": "2"}) == "a:1,b:2"


def test_patch_is_key_by_key():
    info = make()
    info.update_properties(cpus=4)
    info.update_capabilities(boot_mode="uefi")
    info.set_field("/extra/hardware", {"cpu": {}})
    del info.node["properties"]["old"]
    patch = info.node_patch()
    assert {"op": "add", "path": "/properties/cpus", "value": 4} in patch
    assert {"op": "add", "path": "/properties/capabilities",
            "value": "boot_option:local,boot_mode:uefi"} in patch
    assert {"op": "add", "path": "/extra/hardware", "value": {"cpu": {}}} in patch
    assert {"op": "remove", "path": "/properties/old"} in patch
    assert len(patch) == 4


def test_no_change_no_patch():
    assert make().node_patch() == []


def test_ports_and_traits():
    info = make()
    info.add_port("aa", True)
    info.add_port("bb", False)
    info.delete_port("aa")
    assert info.new_ports == {"bb": False} and info.deleted_ports == {"aa"}
    info.add_trait("T2")
    info.remove_trait("T1")
    assert info.view()["traits"] == ["T2"]
