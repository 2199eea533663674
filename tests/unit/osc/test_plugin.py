"""The plugin's commands parse TripleO's options; the built ramdisk is the default."""

import types

import pytest

from ironic_tripleo.osc import common, node, plugin, profiles


def parser_of(cls):
    app = types.SimpleNamespace(options=types.SimpleNamespace(), stdin=None, stdout=None,
                                stderr=None)
    return cls(app, None).get_parser("openstack overcloud x")


def test_plugin_module_contract():
    assert plugin.API_NAME == "ironic_tripleo" and plugin.DEFAULT_API_VERSION in plugin.API_VERSIONS
    sdk = object()
    assert plugin.make_client(types.SimpleNamespace(sdk_connection=sdk)) is sdk


def test_import_options():
    args = parser_of(node.ImportNode).parse_args(
        ["--introspect", "--provide", "--validate-only", "--instance-boot-option", "local",
         "--boot-mode", "uefi", "--concurrency", "5", "nodes.csv"])
    assert (args.introspect, args.provide, args.validate_only, args.instance_boot_option,
            args.boot_mode, args.concurrency, args.env_file) == (
        True, True, True, "local", "uefi", 5, "nodes.csv")


def test_introspect_options_and_tripleo_defaults():
    args = parser_of(node.IntrospectNode).parse_args(["--all-manageable"])
    assert (args.concurrency, args.node_timeout, args.max_retries, args.retry_timeout,
            args.provide) == (20, 1200, 1, 120, False)
    with pytest.raises(SystemExit):
        parser_of(node.IntrospectNode).parse_args(["--all-manageable", "n1"])
    with pytest.raises(SystemExit):
        parser_of(node.IntrospectNode).parse_args([])


def test_configure_options():
    args = parser_of(node.ConfigureNode).parse_args(
        ["n1", "n2", "--root-device", "sda,sdb", "--root-device-minimum-size", "10",
         "--overwrite-root-device-hints", "--boot-mode", "bios"])
    assert (args.node_uuids, args.root_device, args.root_device_minimum_size,
            args.overwrite_root_device_hints) == (["n1", "n2"], "sda,sdb", 10, True)


def test_profiles_match_needs_rules():
    with pytest.raises(SystemExit):
        parser_of(profiles.MatchProfiles).parse_args(["--dry-run"])


def test_ramdisk_urls(tmp_path, monkeypatch):
    assert common.ramdisk_urls(str(tmp_path)) is None
    (tmp_path / "ironic-tripleo.kernel").write_bytes(b"k")
    assert common.ramdisk_urls(str(tmp_path)) is None  # both are needed
    (tmp_path / "ironic-tripleo.initramfs").write_bytes(b"i")
    assert common.ramdisk_urls(str(tmp_path)) == (
        f"file://{tmp_path}/ironic-tripleo.kernel",
        f"file://{tmp_path}/ironic-tripleo.initramfs")
    monkeypatch.setenv(common.RAMDISK_DIR_ENV, str(tmp_path))
    assert parser_of(node.ConfigureNode).parse_args(["n1"]).ramdisk_dir == str(tmp_path)
