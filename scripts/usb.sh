#!/bin/sh
# scripts/usb.sh ISO DEV - write yakvm's hybrid ISO to a USB stick (make usb).
# Refuses a device that is not a whole removable disk or that has anything
# mounted, and asks before writing.
set -eu
iso=$1
dev=${2:-}
if [ -z "$dev" ]; then
	echo "usage: make usb DEV=/dev/sdX   (the whole stick, not a partition)" >&2
	exit 2
fi
[ -f "$iso" ] || { echo "usb: $iso does not exist (make iso)" >&2; exit 1; }
[ -b "$dev" ] || { echo "usb: $dev is not a block device" >&2; exit 1; }
name=$(basename "$(readlink -f "$dev")")
if [ ! -e "/sys/block/$name" ]; then
	echo "usb: $dev is a partition or not a disk; give the whole disk (e.g. /dev/sdb)" >&2
	exit 1
fi
if [ "$(cat "/sys/block/$name/removable" 2>/dev/null)" != 1 ]; then
	echo "usb: $dev is not a removable disk; refusing to overwrite it" >&2
	exit 1
fi
if grep -q "^/dev/$name" /proc/mounts; then
	echo "usb: $dev has mounted partitions:" >&2
	grep "^/dev/$name" /proc/mounts >&2
	echo "usb: unmount them first" >&2
	exit 1
fi
size=$(cat "/sys/block/$name/size")
model=$(cat "/sys/block/$name/device/model" 2>/dev/null || echo "?")
echo "usb: about to overwrite $dev ($model, $((size / 2048)) MiB) with $iso."
printf "usb: everything on it will be lost. Type yes to go on: "
read -r answer
[ "$answer" = yes ] || { echo "usb: nothing written"; exit 1; }
dd if="$iso" of="$dev" bs=4M conv=fsync status=progress
sync
echo "usb: done. Boot the machine from $dev (BIOS or UEFI)."
