from ramdisk.collectors import boot


def test_bios_without_efi_dir(tmp_path):
    assert boot.collect("52:54:00:00:00:01", str(tmp_path / "efi")) == {
        "current_boot_mode": "bios", "pxe_interface": "52:54:00:00:00:01"}


def test_uefi_with_efi_dir(tmp_path):
    assert boot.boot_mode(str(tmp_path)) == "uefi"
    assert boot.collect(None, str(tmp_path))["pxe_interface"] is None
