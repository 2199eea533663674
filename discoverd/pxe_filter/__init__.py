"""PXE filters: which machines the provisioning DHCP server boots into the ramdisk."""
