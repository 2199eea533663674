#!/bin/sh
# ironic-tripleo ramdisk /init: mount the kernel file systems, then hand over to
# ramdisk.boot (udev, modules, network, the agent mode the kernel command line asks for).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mkdir -p /proc /sys /dev /run /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
/usr/bin/python3 -m ramdisk.boot
echo "ironic-tripleo: init failed (exit $?); see the messages above" >/dev/console
exec busybox sh </dev/console >/dev/console 2>&1
