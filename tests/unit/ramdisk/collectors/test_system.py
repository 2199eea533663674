from ramdisk.collectors import system


def test_reads_dmi(tmp_path):
    for name, value in {"sys_vendor": "Dell Inc.\n", "product_name": "PowerEdge R640\n",
                        "product_serial": "ABC1234\n", "bios_vendor": "Dell Inc.\n",
                        "bios_version": "2.12.2\n", "bios_date": "07/09/2021\n"}.items():
        (tmp_path / name).write_text(value)
    (tmp_path / "power").mkdir()  # a directory, not an attribute
    assert system.collect(str(tmp_path)) == {
        "product_name": "PowerEdge R640", "serial_number": "ABC1234",
        "manufacturer": "Dell Inc.",
        "firmware": {"vendor": "Dell Inc.", "version": "2.12.2", "build_date": "07/09/2021"},
    }


def test_no_dmi(tmp_path):
    result = system.collect(str(tmp_path / "missing"))
    assert result["manufacturer"] == "" and result["firmware"]["version"] == ""
