import pytest

from ironic_tripleo.deploy import partition_image as pi
from ironic_tripleo.exception import PartitionLayoutError

MiB = pi.MiB


def test_uefi_gpt_plan_root_last():
    layout = pi.Layout(boot_mode="uefi", esp_mb=100, swap_mb=10, ephemeral_mb=20,
                       configdrive=True)
    parts = pi.plan(layout, 1024 * MiB, configdrive_size=70 * MiB + 1)
    assert [p.role for p in parts] == ["esp", "ephemeral", "swap", "configdrive", "root"]
    assert parts[0].start == MiB and parts[3].size == 71 * MiB
    for a, b in zip(parts, parts[1:], strict=False):
        assert a.start + a.size == b.start
    assert parts[-1].start + parts[-1].size == 1023 * MiB  # backup GPT room


def test_bios_gpt_has_bios_grub_and_fixed_root():
    parts = pi.plan(pi.Layout(root_mb=50), 1024 * MiB)
    assert [(p.role, p.size) for p in parts] == [("bios_grub", MiB), ("root", 50 * MiB)]


@pytest.mark.parametrize("layout, size, match", [
    (pi.Layout(label="msdos", boot_mode="uefi", swap_mb=1, ephemeral_mb=1, configdrive=True),
     1024 * MiB, "MBR"),
    (pi.Layout(root_mb=2000), 1024 * MiB, "1024 MiB"),
    (pi.Layout(swap_mb=2000), 1024 * MiB, "disk has 1024 MiB"),
    (pi.Layout(label="dos"), 1024 * MiB, "allowed"),
])
def test_bad_layouts(layout, size, match):
    with pytest.raises(PartitionLayoutError, match=match):
        pi.plan(layout, size, node="n1")


def test_parted_script():
    layout = pi.Layout(label="msdos", swap_mb=8)
    script = pi.parted_commands(layout, pi.plan(layout, 100 * MiB))
    assert script[:2] == ["mklabel", "msdos"]
    assert script[2:7] == ["mkpart", "primary", "linux-swap", f"{MiB}B", f"{9 * MiB - 1}B"]
    assert script[-4:] == ["set", "2", "boot", "on"]
    uefi = pi.Layout(boot_mode="uefi")
    assert ["set", "1", "esp", "on"] == pi.parted_commands(uefi, pi.plan(uefi, 2048 * MiB))[7:11]
