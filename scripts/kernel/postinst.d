#!/bin/sh
# Debian kernel hook (/etc/kernel/postinst.d/zz-mkinitrd-hal), installed by `make install`:
# after a kernel is installed, build its HAL image beside it, as initramfs-tools does for its
# own initrd. Called by the kernel package with the version and the kernel image's path.
set -e
version=$1
image=${2:-/boot/vmlinuz-$version}
mkinitrd=@BINDIR@/mkinitrd-hal  # `make install` writes its own path here
[ -x "$mkinitrd" ] || exit 0     # the tool was removed, its hook left
[ -n "$version" ] || { echo "mkinitrd-hal hook: no kernel version given" >&2; exit 1; }
output=$(dirname "$image")/hal-initrd.img-$version
echo "mkinitrd-hal: building $output"
exec "$mkinitrd" -q -k "$version" "$output"
