"""dnsmasq's command line and Ironic's settings for namespace and VM labs."""

from __future__ import annotations

from pathlib import Path

from ironic_tripleo.lab import pxe_services

NETWORK = {"dhcp_range": ["198.51.100.16", "198.51.100.30"], "prefixlen": 27,
           "host_address": "198.51.100.1"}


def test_namespace_lab_dnsmasq_serves_pxelinux_only():
    argv = pxe_services.dnsmasq_argv(NETWORK, "itbr-x", Path("/t"), Path("/w"))
    assert "--dhcp-boot=pxelinux.0" in argv
    assert not [a for a in argv if "ipxe" in a or "ra-only" in a or a == "--enable-ra"]


def test_vm_lab_dnsmasq_sends_ras_and_ipxe_clients_to_the_script():
    argv = pxe_services.dnsmasq_argv(NETWORK | {"ipv6_prefix": "fdab:cdef::"}, "itbr-x",
                                     Path("/t"), Path("/w"), "http://198.51.100.1:8/boot.ipxe")
    assert argv[0] == "dnsmasq"
    assert "--enable-ra" in argv and "--dhcp-range=fdab:cdef::,ra-only" in argv
    assert "--dhcp-match=set:ipxe,175" in argv
    assert "--dhcp-boot=tag:ipxe,http://198.51.100.1:8/boot.ipxe" in argv
    assert "--dhcp-boot=tag:!ipxe,pxelinux.0" in argv


def _state(kind: str | None) -> dict:
    state = {"network": NETWORK, "discoverd_url": "http://d", "ironic_url": "http://i",
             "boot": {"images": "/img"},
             "data_plane": {"namespace": "ns", "image_cache": "/c"}}
    if kind == "vm":
        state["boot"]["kind"] = "vm"
        state["http"] = {"port": 8123}
    return state


def test_vm_lab_ironic_boots_with_ipxe_over_the_labs_http_server():
    extra = pxe_services.ironic_settings(_state("vm"))["extra"]
    assert extra["DEFAULT"]["default_boot_interface"] == "ipxe"
    assert extra["deploy"]["http_url"] == "http://198.51.100.1:8123"
    assert "console=ttyS0,115200n8" in extra["pxe"]["kernel_append_params"]
    assert extra["tripleo_deploy"]["target_wait_timeout"] == "90"
    assert extra["conductor"]["disable_zstandard_decompression"] == "true"


def test_namespace_lab_ironic_settings_are_unchanged():
    extra = pxe_services.ironic_settings(_state(None))["extra"]
    assert "default_boot_interface" not in extra["DEFAULT"]
    assert "pxe" not in extra and "deploy" not in extra
    assert "disable_zstandard_decompression" not in extra["conductor"]
    assert extra["tripleo_deploy"]["target_wait_timeout"] == "30"


def test_discoverd_runs_the_dnsmasq_filter_on_dnsmasqs_hostsdir_only_when_asked():
    import configparser

    def parsed(**kwargs) -> configparser.ConfigParser:
        conf = configparser.ConfigParser()
        conf.read_string(pxe_services.discoverd_config(
            Path("/w"), "198.51.100.1", 5050, "http://198.51.100.1:6385", **kwargs))
        return conf

    assert not parsed().has_section("pxe_filter")
    conf = parsed(hostsdir=Path("/w/dnsmasq/dhcp-hostsdir"))
    assert conf["pxe_filter"]["driver"] == "dnsmasq"
    assert conf["pxe_filter"]["dhcp_hostsdir"] == "/w/dnsmasq/dhcp-hostsdir"
    assert pxe_services.plan(Path("/w"), Path("/w/ironic"), 1, pxe_filter=True
                             )["discoverd"]["pxe_filter"] is True
