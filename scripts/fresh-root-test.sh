#!/bin/sh
# scripts/fresh-root-test.sh [ROOT [REF]]
# The README's quick start on a fresh minimal Debian 12, as a newcomer would
# meet it: `debootstrap --variant=minbase bookworm ROOT` (default
# /var/tmp/yakvm-deb12-root; it must not exist yet), git installed in it,
# this repository's REF (a branch, or HEAD by default: committed files
# only) cloned into ROOT/root/yakvm from a bundle, then, in the chroot as
# root with an empty environment, the README's commands:
#     apt-get update && apt-get install -y make
#     make test
# Their output goes to ROOT/root/fresh-root-test.log (the tail of it here,
# and how long it took). Not part of `make test`. Needs root (chroot,
# mounts) and reaches Debian's package mirror; ROOT stays for a look
# afterwards, /proc, /sys, /dev and /dev/pts unmounted from it.
set -eu
root=${1:-/var/tmp/yakvm-deb12-root}
ref=${2:-HEAD}
repo=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "fresh-root-test: run as root (debootstrap, chroot)" >&2; exit 2; }
[ ! -e "$root" ] || { echo "fresh-root-test: $root exists; remove it first" >&2; exit 2; }
sha=$(git -C "$repo" rev-parse --verify "$ref^{commit}")
export DEBIAN_FRONTEND=noninteractive
command -v debootstrap >/dev/null 2>&1 || {
	apt-get update -q && apt-get install -y -q debootstrap; }

echo "fresh-root-test: debootstrap --variant=minbase bookworm $root"
debootstrap --variant=minbase bookworm "$root" > "$root.debootstrap.log" 2>&1 ||
	{ tail -n 20 "$root.debootstrap.log"; exit 1; }
mv "$root.debootstrap.log" "$root/root/"	# every log inside ROOT from here on

mounted=""
cleanup() {
	for m in $mounted; do umount "$root$m" 2>/dev/null || umount -l "$root$m" || true; done
}
trap cleanup EXIT
trap "exit 130" INT TERM
mount -t proc proc "$root/proc" && mounted="/proc $mounted"
mount -t sysfs sysfs "$root/sys" && mounted="/sys $mounted"
mount --bind /dev "$root/dev" && mounted="/dev $mounted"
mount --bind /dev/pts "$root/dev/pts" && mounted="/dev/pts $mounted"

# What a fresh root login has: no variables of this shell.
in_root() {
	env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/sh \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		chroot "$root" /bin/sh -c "$1"
}

echo "fresh-root-test: git into the root, $ref ($sha) cloned into /root/yakvm"
in_root "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q git" \
	> "$root/root/git-install.log" 2>&1 || { tail -n 20 "$root/root/git-install.log"; exit 1; }
git -C "$repo" bundle create -q "$root/root/yakvm.bundle" "$ref"
in_root "git clone -q --no-checkout /root/yakvm.bundle /root/yakvm &&
	 git -C /root/yakvm checkout -q -B main $sha && rm /root/yakvm.bundle"

echo "fresh-root-test: in the root, as root: apt-get update && apt-get install -y make; make test"
start=$(date +%s)
rc=0
in_root "cd /root/yakvm && apt-get update && apt-get install -y make && make test" \
	> "$root/root/fresh-root-test.log" 2>&1 || rc=$?
tail -n 40 "$root/root/fresh-root-test.log"
echo "fresh-root-test: make test exited $rc after $(( $(date +%s) - start )) s" \
	"(log: $root/root/fresh-root-test.log)"
exit $rc
