"""The PXE ROM emulation's pure parts: pxelinux config parsing and the command line."""

from pathlib import Path

import pytest

from ironic_tripleo.lab import pxe_rom

IRONIC_TEMPLATE = Path(pytest.importorskip("ironic").__file__).parent / (
    "drivers/modules/pxe_config.template")

IRONIC_CONFIG = """default deploy

label deploy
kernel 1be26c0b/deploy_kernel
append initrd=1be26c0b/deploy_ramdisk selinux=0 troubleshoot=0 text nofb vga=normal \
ipa-inspection-callback-url=http://198.51.100.1:5050/v1/continue
ipappend 2

label boot_whole_disk
COM32 chain.c32
append mbr:{{ DISK_IDENTIFIER }}
"""


def test_parse_ironic_config_default_label():
    entry = pxe_rom.parse_config(IRONIC_CONFIG)
    assert entry.label == "deploy"
    assert entry.kernel == "1be26c0b/deploy_kernel"
    assert entry.initrds == ["1be26c0b/deploy_ramdisk"]
    assert "initrd=" not in entry.append
    assert entry.append.endswith("ipa-inspection-callback-url=http://198.51.100.1:5050/v1/continue")
    assert entry.ipappend == 2


def test_ironic_template_has_the_keywords_we_parse():
    text = IRONIC_TEMPLATE.read_text().lower()
    for keyword in ("default deploy", "label deploy", "kernel ", "append initrd=", "ipappend 2"):
        assert keyword in text


def test_kernel_cmdline_adds_bootif_for_ipappend_2():
    entry = pxe_rom.parse_config(IRONIC_CONFIG)
    line = pxe_rom.kernel_cmdline(entry, "52:54:00:AA:bb:01")
    assert line.endswith(" BOOTIF=01-52-54-00-aa-bb-01")


def test_keywords_are_case_insensitive_and_linux_initrd_lines():
    entry = pxe_rom.parse_config("DEFAULT x\nLABEL x\n  LINUX vmlinuz\n  INITRD a.img\n"
                                 "  APPEND initrd=b.img,c.img quiet\n")
    assert (entry.kernel, entry.initrds, entry.append, entry.ipappend) == (
        "vmlinuz", ["a.img", "b.img", "c.img"], "quiet", 0)


@pytest.mark.parametrize("text", ["", "label deploy\nkernel k\n", "default x\nlabel y\nkernel k\n",
                                  "default x\nlabel x\nappend quiet\n"])
def test_config_without_bootable_default_is_an_error(text):
    with pytest.raises(pxe_rom.PxeBootError, match="no bootable DEFAULT"):
        pxe_rom.parse_config(text)


def test_config_names_follow_pxelinux_order():
    assert pxe_rom.config_names("52:54:00:AA:BB:01") == [
        "pxelinux.cfg/01-52-54-00-aa-bb-01", "pxelinux.cfg/default"]
