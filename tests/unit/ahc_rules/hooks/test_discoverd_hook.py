"""The ``ahc`` discoverd processing hook, with discoverd's FakeIronic."""

import logging

import pytest

from ahc_rules.hooks.discoverd import AhcHook
from ahc_rules.introspection_match import CLAIMS_NAME, load_claims
from discoverd import exception
from discoverd.app import create_app, get_service
from discoverd.conf import new_conf
from discoverd.conf.processing import DEFAULT_HOOKS
from discoverd.hooks.extra_hardware import ExtraHardwareHook
from discoverd.node_info import NodeInfo
from tests.harness.discoverd_payloads import ramdisk_payload
from tests.harness.fake_ironic import FakeIronic

GIB16 = 16 * 1024 ** 3


@pytest.fixture
def rules(tmp_path):
    """control: 1 node with >= 16 GiB (cmdb with hostnames); compute: any other."""
    path = tmp_path / "rules"
    path.mkdir()
    (path / "state").write_text("[('control', '1'), ('compute', '*')]\n")
    (path / "control.specs").write_text(
        f"[('memory', 'total', 'size', 'ge({GIB16})'),\n"
        " ('network', '$eth', 'serial', '$mac')]\n")
    (path / "control.cmdb").write_text("[{'hostname': 'ctl-0'}, {'hostname': 'ctl-1'}]\n")
    (path / "compute.specs").write_text("[('cpu', 'logical', 'number', 'ge(2)')]\n")
    return path


@pytest.fixture
def hook(rules):
    return AhcHook.with_options(rules_dir=str(rules))


def node(ironic, caps="boot_mode:bios"):
    uuid = ironic.add_node(properties={"capabilities": caps} if caps else {})
    return NodeInfo.from_ironic(ironic.get_node(uuid), [])


def payload(memory_mb, mac="52:54:00:00:00:01"):
    return ramdisk_payload([mac], memory_mb=memory_mb)


def test_big_memory_gets_control_keeps_caps_and_records_cmdb(hook, rules):
    ironic = FakeIronic()
    info = node(ironic)
    hook.before_update(payload(32768), info, ironic=ironic)
    assert info.capabilities() == {"boot_mode": "bios", "profile": "control"}
    assert info.node["extra"]["ahc"] == {
        "profile": "control",
        "variables": {"hostname": "ctl-0", "eth": "eth0", "mac": "52:54:00:00:00:01"}}
    assert "'used': 1" in (rules / "control.cmdb").read_text()
    assert ("node_profiles",) in ironic.calls


def test_count_from_ironic_profiles(hook):
    ironic = FakeIronic()
    ironic.add_node(properties={"capabilities": "profile:control"})
    info = node(ironic, caps=None)
    hook.before_update(payload(32768), info, ironic=ironic)
    assert info.capabilities() == {"profile": "compute"}


def test_claims_count_before_ironic_is_written(hook, rules):
    ironic = FakeIronic()
    first, second = node(ironic), node(ironic)
    hook.before_update(payload(32768), first, ironic=ironic)
    hook.before_update(payload(32768, "52:54:00:00:00:02"), second, ironic=ironic)
    assert first.capabilities()["profile"] == "control"
    assert second.capabilities()["profile"] == "compute"
    assert set(load_claims(rules, now=0, ttl=float("inf"))) == {first.uuid, second.uuid}


def test_rematching_the_same_node_keeps_its_place(hook):
    ironic = FakeIronic()
    info = node(ironic)
    hook.before_update(payload(32768), info, ironic=ironic)
    again = NodeInfo.from_ironic(ironic.get_node(info.uuid), [])
    hook.before_update(payload(32768), again, ironic=ironic)
    assert again.capabilities()["profile"] == "control"
    assert again.node["extra"]["ahc"]["variables"]["hostname"] == "ctl-0"


def test_no_match_changes_nothing_and_logs(hook, rules, caplog):
    ironic = FakeIronic()
    info = node(ironic)
    data = payload(4096)
    data["data"] = [f for f in data["data"] if f[0] != "cpu"]
    with caplog.at_level(logging.INFO, logger="ahc_rules.hooks.discoverd"):
        hook.before_update(data, info, ironic=ironic)
    assert info.node_patch() == []
    assert "no role" in caplog.text
    assert not (rules / CLAIMS_NAME).exists()


def test_facts_rebuilt_after_extra_hardware(hook):
    ironic = FakeIronic()
    info = node(ironic)
    data = payload(32768)
    ExtraHardwareHook().before_update(data, info)
    assert "data" not in data
    hook.before_update(data, info, ironic=ironic)
    assert info.capabilities()["profile"] == "control"


def test_no_facts_is_no_role(hook):
    info = node(FakeIronic())
    data = payload(32768)
    del data["data"]
    hook.before_update(data, info)
    assert info.node_patch() == []


@pytest.mark.parametrize("rules_dir", [None, "/nonexistent/ahc-rules"])
def test_bad_rules_dir_is_config_error(rules_dir):
    with pytest.raises(exception.ConfigError, match="rules_dir"):
        AhcHook.with_options(rules_dir=rules_dir)


def test_through_the_pipeline_with_config(tmp_path, rules):
    conf = new_conf([])
    conf.set_override("connection", f"sqlite:///{tmp_path / 'd.sqlite'}", group="database")
    conf.set_override("hooks", [*DEFAULT_HOOKS[:-1], "ahc", "extra_hardware"],
                      group="processing")
    conf.set_override("rules_dir", str(rules), group="ahc")
    ironic = FakeIronic()
    app = create_app(conf, ironic=ironic)
    client = app.test_client()
    uuids = []
    try:
        for i, memory in enumerate((32768, 65536)):
            mac = f"52:54:00:00:01:0{i}"
            uuid = ironic.add_node(f"n{i}", (mac,))
            uuids.append(uuid)
            assert client.post(f"/v1/introspection/{uuid}").status_code == 202
            assert client.post("/v1/continue", json=payload(memory, mac)).status_code == 200
    finally:
        get_service(app).db.dispose()
    caps = [ironic.nodes[u]["properties"]["capabilities"] for u in uuids]
    assert "profile:control" in caps[0] and "profile:compute" in caps[1]
    assert ironic.nodes[uuids[0]]["extra"]["ahc"]["variables"]["hostname"] == "ctl-0"
