"""Each hook reads its own option group, through discoverd's application factory.

The configuration is a file read by ``new_conf`` (as the ``discoverd`` command reads
it); the app is ``create_app``'s; Ironic is the unit tests' FakeIronic (the same
options against a real Ironic: ``tests/integration/test_discoverd_ironic.py``).
"""

import configparser
import pathlib

import pytest

from discoverd.app import create_app, get_service
from discoverd.conf import new_conf
from discoverd.conf.opts import list_opts
from discoverd.hooks.manager import hook_classes
from tests.harness.discoverd_payloads import ramdisk_payload
from tests.harness.fake_ironic import FakeIronic

ROOT = pathlib.Path(__file__).resolve().parents[4]
MACS = ["52:54:00:00:07:01", "52:54:00:00:07:02"]


def introspect(tmp_path, config: str) -> dict:
    """Introspect one node with ``config`` (ini text); return the node as written."""
    path = tmp_path / "discoverd.conf"
    path.write_text(f"[database]\nconnection = sqlite:///{tmp_path / 'd.sqlite'}\n{config}")
    conf = new_conf(["--config-file", str(path)])
    ironic = FakeIronic()
    app = create_app(conf, ironic=ironic)
    client = app.test_client()
    try:
        uuid = ironic.add_node("n0", (MACS[0],))
        assert client.post(f"/v1/introspection/{uuid}").status_code == 202
        payload = ramdisk_payload(MACS, boot_mac=MACS[0], flags=("vmx", "aes"),
                                  boot_mode="uefi")
        r = client.post("/v1/continue", json=payload)
        assert r.status_code == 200, r.get_json()
    finally:
        get_service(app).db.dispose()
    node = dict(ironic.nodes[uuid])
    node["port_macs"] = sorted(p["address"] for p in ironic.list_ports(uuid))
    return node


def capabilities(node: dict) -> dict:
    text = node["properties"].get("capabilities") or ""
    return dict(item.split(":", 1) for item in text.split(",") if item)


def test_defaults(tmp_path):
    node = introspect(tmp_path, "")
    assert capabilities(node) == {"boot_mode": "uefi", "cpu_vt": "true", "cpu_aes": "true"}
    assert node["extra"]["hardware"]["system"]["product"]["vendor"] == "QEMU"
    assert node["port_macs"] == [MACS[0]]


def test_each_hook_reads_its_own_group(tmp_path):
    node = introspect(tmp_path, "[capabilities]\nboot_mode = false\ncpu_flags = vmx:cpu_virt\n"
                                "[extra_hardware]\nstore = data\n"
                                "[validate_interfaces]\nadd_ports = all\n")
    assert capabilities(node) == {"cpu_virt": "true"}
    assert "hardware" not in node["extra"]
    assert node["port_macs"] == sorted(MACS)


def test_options_still_read_from_processing(tmp_path):
    """Configs written before the hooks had their groups keep working."""
    node = introspect(tmp_path, "[processing]\nadd_ports = all\nboot_mode_capability = false\n"
                                "extra_hardware_store = data\n")
    assert "boot_mode" not in capabilities(node)
    assert "hardware" not in node["extra"]
    assert node["port_macs"] == sorted(MACS)


def test_every_group_listed_once_with_each_hook_group():
    groups = [group for group, _options in list_opts()]
    assert len(groups) == len(set(groups)), groups
    hooks = hook_classes()
    own = {cls.group for cls in hooks.values() if cls.group}
    assert {"ahc", "capabilities", "extra_hardware", "ports", "validate_interfaces"} <= own
    assert own <= set(groups)
    for cls in hooks.values():
        names = [opt.dest for opt in cls.opts]
        assert len(names) == len(set(names)), cls


def test_sample_config_lists_each_group_once():
    sample = (ROOT / "etc/discoverd.conf.sample").read_text()
    headers = [line.strip("[]") for line in sample.splitlines()
               if line.startswith("[") and line.endswith("]")]
    assert len(headers) == len(set(headers)), sorted(headers)
    parser = configparser.ConfigParser(strict=True, interpolation=None)
    parser.read_string(sample)  # strict: a section written twice is an error
    assert {"ahc", "capabilities", "extra_hardware", "ports",
            "validate_interfaces"} <= set(parser.sections())


def test_unknown_option_of_a_hook_is_refused():
    from discoverd.hooks.capabilities import CapabilitiesHook

    with pytest.raises(Exception, match="no_such"):
        CapabilitiesHook.with_options(no_such=True)
