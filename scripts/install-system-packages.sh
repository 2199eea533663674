#!/usr/bin/env bash
# Installs the Debian packages the lab and the integration tests drive for real.
# Idempotent and quick when everything is already present.
set -euo pipefail

# command on PATH -> Debian package that provides it
declare -A NEED=(
  [ipmitool]=ipmitool
  [ipmi_sim]=openipmi
  [tgtd]=tgt
  [iscsi-ls]=libiscsi-bin
  [qemu-img]=qemu-utils
  [sgdisk]=gdisk
  [parted]=parted
  [mkfs.vfat]=dosfstools
  [dnsmasq]=dnsmasq
  [busybox]=busybox
  [lshw]=lshw
  [dmidecode]=dmidecode
  [smartctl]=smartmontools
  [ethtool]=ethtool
  [lspci]=pciutils
  [ip]=iproute2
  [nft]=nftables
  [mmdebstrap]=mmdebstrap
  [cpio]=cpio
  [zstd]=zstd
  [depmod]=kmod
  # diskimage-builder (the ironic-tripleo-agent element's test): debian-minimal
  # bootstraps with debootstrap, and DIB runs its steps through sudo even as root
  [debootstrap]=debootstrap
  [sudo]=sudo
  # the devstack plugin's test lints its scripts
  [shellcheck]=shellcheck
  # the undercloud's message bus (ironic-tripleo undercloud); its commands are in /usr/sbin
  [rabbitmq-server]=rabbitmq-server
)
missing=()
for cmd in "${!NEED[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$cmd" >/dev/null 2>&1 \
    || missing+=("${NEED[$cmd]}")
done
# qemu's iSCSI block driver lives in a separate package
dpkg -s qemu-block-extra >/dev/null 2>&1 || missing+=(qemu-block-extra)
# VM lab nodes: qemu, its NICs' iPXE ROMs, pxelinux, and syslinux (MBR, mtools) for the
# bootable whole-disk test image (files, not commands)
for pkg in qemu-system-x86 ipxe-qemu pxelinux syslinux-common syslinux mtools; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
# PostgreSQL server (several discoverd processes on one database); its binaries live
# under /usr/lib/postgresql/<version>/bin, not on PATH
dpkg -s postgresql >/dev/null 2>&1 || missing+=(postgresql)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-system-packages: need root to install: ${missing[*]}" >&2
  exit 1
fi
echo "install-system-packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
