#!/bin/sh
# scripts/fetch-kernel.sh FLAVOUR DIR
# Unpacks Debian's kernel package of a flavour ("cloud-amd64" for
# linux-image-cloud-amd64, "amd64" for linux-image-amd64) into DIR with
# `apt-get download` and `dpkg-deb -x`: nothing is installed, the host's /boot
# and boot loader are left alone. The kernel ends up as DIR/vmlinuz, its
# modules under DIR/lib/modules. Does nothing when DIR/vmlinuz exists.
set -e
flavour=$1
dir=$2
[ -n "$flavour" ] && [ -n "$dir" ] || { echo "usage: $0 FLAVOUR DIR" >&2; exit 2; }
[ -e "$dir/vmlinuz" ] && exit 0
meta=linux-image-$flavour
# The meta package depends on the versioned image, e.g. linux-image-6.1.0-57-amd64.
pkg=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/^  Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1)
if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
	apt-get update -q >/dev/null
	pkg=$(apt-cache depends "$meta" | sed -n 's/^  Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1)
fi
[ -n "$pkg" ] || { echo "fetch-kernel: apt-cache knows no $meta (run: apt-get update)" >&2; exit 1; }
tmp="$dir.tmp"
rm -rf "$tmp" && mkdir -p "$tmp/deb"
echo "fetch-kernel: $pkg into $dir (apt-get download, dpkg-deb -x; nothing is installed)"
(cd "$tmp/deb" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
deb=$(ls "$tmp"/deb/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { echo "fetch-kernel: apt-get download $pkg failed" >&2; exit 1; }
dpkg-deb -x "$deb" "$tmp"
rm -rf "$tmp/deb"
kernel=$(ls "$tmp"/boot/vmlinuz-* | head -n 1)
ln -s "boot/$(basename "$kernel")" "$tmp/vmlinuz"
rm -rf "$dir" && mv "$tmp" "$dir"
