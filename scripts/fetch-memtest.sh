#!/bin/sh
# scripts/fetch-memtest.sh DIR
# Unpacks Debian's memtest86+ package into DIR with `apt-get download` and
# `dpkg-deb -x`, as scripts/fetch-kernel.sh does for kernels: nothing is
# installed, the host's /boot and boot loader are left alone. The image yakvm
# boots, a Linux-protocol bzImage, ends up as DIR/boot/memtest86+x64.bin
# (the rest of the package is dropped).
# Does nothing when that file exists.
set -e
dir=$1
[ -n "$dir" ] || { echo "usage: $0 DIR" >&2; exit 2; }
[ -e "$dir/boot/memtest86+x64.bin" ] && exit 0
pkg=memtest86+
if ! apt-cache show "$pkg" >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	apt-get update -q >/dev/null
fi
apt-cache show "$pkg" >/dev/null 2>&1 || { echo "fetch-memtest: apt-cache knows no $pkg (run: apt-get update)" >&2; exit 1; }
tmp="$dir.tmp"
rm -rf "$tmp" && mkdir -p "$tmp/deb"
echo "fetch-memtest: $pkg into $dir (apt-get download, dpkg-deb -x; nothing is installed)"
(cd "$tmp/deb" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
deb=$(ls "$tmp"/deb/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { echo "fetch-memtest: apt-get download $pkg failed" >&2; exit 1; }
dpkg-deb -x "$deb" "$tmp"
rm -rf "$tmp/deb"
# Only boot/ is kept: etc/grub.d would look like a dependency file to make.
find "$tmp" -mindepth 1 -maxdepth 1 ! -name boot -exec rm -rf {} +
[ -e "$tmp/boot/memtest86+x64.bin" ] || { echo "fetch-memtest: no boot/memtest86+x64.bin in $deb" >&2; exit 1; }
rm -rf "$dir" && mv "$tmp" "$dir"
