#!/usr/bin/env bash
# Installs the Debian 12 packages the build, `make run` and `make check` need; a no-op when
# they are all present. Run as root on a fresh machine (CI is root).
set -euo pipefail

packages=(
    g++ make binutils            # host tools and GNU as for the boot-sector payload
    musl-tools musl-dev          # static musl build of hal-init
    libarchive-dev zlib1g-dev    # mkinitrd-hal: cpio writer, gzip modules
    liblzma-dev libzstd-dev      # mkinitrd-hal: .ko.xz and .ko.zst modules
    doctest-dev                  # unit tests
    python3 python3-pytest       # boot tests
    qemu-system-x86              # outer VM for tests and `make run`, inner QEMU bundled by default
    kmod                         # depmod for the downloaded test kernel
    busybox-static               # the reference init of `make bench`, and --rescue-shell
    clang libclang-rt-14-dev     # libFuzzer targets (`make fuzz`)
    clang-format universal-ctags # tests/structure: formatting and function length
    iproute2 dnsmasq-base        # DHCP client tests: network namespaces and a real server
    apt-utils ca-certificates file
    procps                       # pkill: `make fuzz-campaign` gives a freed core to a running target
    # `make qemu-static`: Debian's QEMU source built static (see scripts/build-qemu-static.sh)
    dpkg-dev ninja-build meson pkg-config flex bison python3-venv
    libglib2.0-dev libpixman-1-dev libfdt-dev libaio-dev libslirp-dev
    device-tree-compiler         # hal-init reads the host's device tree with libfdt; its test DTB
    libdrm-dev                   # kernel DRM UAPI headers (drm.h, drm_mode.h) for hal-display
    ovmf                         # UEFI guests: OVMF is packed into the image
    # Real guest OS disks for the boot tests: MBR + syslinux, GPT + ESP + GRUB, ext4, qcow2
    syslinux syslinux-common mtools dosfstools e2fsprogs fdisk grub-efi-amd64-bin qemu-utils
    liblz4-dev pigz zstd xz-utils lz4 cpio  # image compressors, and references for `make bench`
    debootstrap                  # scripts/fresh-check.sh: a clean Debian 12 root
    man-db                       # `make install` test: the man page renders (man -l)
    swtpm                        # the outer VM's TPM 2.0 in the TPM passthrough test
)

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
if ((${#missing[@]} == 0)); then
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing Debian packages: ${missing[*]} (run this script as root)" >&2
    exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
