#!/bin/sh
# Debian kernel hook (/etc/kernel/postinst.d/zz-mkinitrd-hal), installed by `make install`:
# after a kernel is installed, build its HAL images beside it, as initramfs-tools does for its
# own initrd. Called by the kernel package with the version and the kernel image's path.
#   hal-initrd.img-VERSION          host-only: the modules this machine's devices need (small,
#                                   fast to unpack), the image the boot entries boot by default;
#   hal-initrd-generic.img-VERSION  every module of the list, the second entry, for a machine
#                                   whose hardware changed since.
# A host-only build that fails (no /sys, as in a chroot) leaves the generic image as both.
set -e
version=$1
image=${2:-/boot/vmlinuz-$version}
mkinitrd=@BINDIR@/mkinitrd-hal  # `make install` writes its own path here
[ -x "$mkinitrd" ] || exit 0     # the tool was removed, its hook left
[ -n "$version" ] || { echo "mkinitrd-hal hook: no kernel version given" >&2; exit 1; }
directory=$(dirname "$image")
output=$directory/hal-initrd.img-$version
generic=$directory/hal-initrd-generic.img-$version
echo "mkinitrd-hal: building $generic"
"$mkinitrd" -q -k "$version" --no-hostonly "$generic"
echo "mkinitrd-hal: building $output (host-only)"
if ! "$mkinitrd" -q -k "$version" --hostonly "$output"; then
    echo "mkinitrd-hal: the host-only build failed; $output is the generic image" >&2
    cp "$generic" "$output.tmp" && mv "$output.tmp" "$output"
fi
