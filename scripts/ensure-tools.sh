#!/bin/sh
# scripts/ensure-tools.sh [--install]
# Checks that every Debian package in scripts/packages.txt is installed.
# With --install (what `make env` does), or when a package is missing and we
# are root, it runs `apt-get update` and installs the missing ones; not root,
# it does the same through sudo, and without sudo it prints the one apt-get
# line to run as root and fails.
set -e
cd "$(dirname "$0")/.."
pkgs=$(grep -v '^#' scripts/packages.txt | tr '\n' ' ')
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && [ "$1" != "--install" ] && exit 0
[ -z "$missing" ] && { echo "env: all packages are installed"; exit 0; }
sudo=
if [ "$(id -u)" != 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "yakvm needs these Debian packages:$missing" >&2
		echo "Run as root:  apt-get update && apt-get install -y$missing" >&2
		exit 1
	fi
	sudo="sudo DEBIAN_FRONTEND=noninteractive"
fi
echo "env: installing$missing${sudo:+ (with sudo)}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends $missing
