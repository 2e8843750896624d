#!/bin/sh
# scripts/check-wx.sh ELF - fail if any loadable segment of yakvm's image is
# both writable and executable. (The boot test checks the live page tables.)
set -e
bad=$(readelf -lW "$1" | awk '$1=="LOAD" && $7 ~ /W/ && $7 ~ /E/')
if [ -n "$bad" ]; then
	echo "check-wx: $1 has a writable and executable segment:" >&2
	echo "$bad" >&2
	exit 1
fi
