#!/bin/sh
# Debian kernel hook (/etc/kernel/postrm.d/zz-mkinitrd-hal), installed by `make install`:
# when a kernel is removed, remove the HAL image built for it.
set -e
version=$1
image=${2:-/boot/vmlinuz-$version}
[ -n "$version" ] || exit 0
rm -f "$(dirname "$image")/hal-initrd.img-$version"
