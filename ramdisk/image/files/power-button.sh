#!/bin/sh
# busybox acpid runs this when the ACPI power button is pressed (a BMC's soft off,
# IPMI "chassis power soft"): the ramdisk holds nothing to save, so sync and power off.
echo "ironic-tripleo: ACPI power button pressed; powering off" >/dev/console
sync
exec busybox poweroff -f
