#!/bin/sh
# Debian kernel hook (/etc/kernel/postrm.d/zz-mkinitrd-hal), installed by `make install`:
# when a kernel is removed, remove the HAL images built for it.
set -e
version=$1
image=${2:-/boot/vmlinuz-$version}
[ -n "$version" ] || exit 0
directory=$(dirname "$image")
rm -f "$directory/hal-initrd.img-$version" "$directory/hal-initrd-generic.img-$version"
