#!/usr/bin/env bash
# Builds a minimal static qemu-system-x86_64 from Debian's own QEMU source, with a static
# libslirp from Debian's source too, and caches it outside the repository keyed by the
# source versions and our build configuration. Prints the binary's path. Needs root the
# first time (deb-src entry, build dependencies).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${HAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mkinitrd-hal}/qemu-static
mkdir -p "$cache"
log="$cache/build.log"
current_step="start"
step() {
    current_step=$1
    echo "qemu-static: $1" >&2
}
trap 'echo "qemu-static: FAILED while: $current_step (see $log)" >&2' ERR

# The options that shape the binary; with the source versions and the device list they make
# the cache key.
# -Os with section garbage collection takes 14.2 MB down to 12.5 MB; LTO saved 0.2 MB more
# here, not worth its build cost.
configure_flags=(--prefix=/usr --static --target-list=x86_64-softmmu --without-default-features
    --without-default-devices --with-devices-x86_64=hal --enable-kvm --enable-tcg --enable-slirp
    --audio-drv-list= --disable-install-blobs --disable-docs --disable-werror
    "--extra-cflags=-Os -ffunction-sections -fdata-sections" "--extra-ldflags=-Wl,--gc-sections")

step "adding a deb-src entry for Debian's sources"
sources=/etc/apt/sources.list.d/mkinitrd-hal-src.sources
if ! apt-cache showsrc qemu >/dev/null 2>&1 || [[ -z "$(apt-cache showsrc qemu 2>/dev/null)" ]]; then
    if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
        [[ -f $sources ]] || sed -e 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$sources"
    else
        sed -n -e 's/^deb /deb-src /p' /etc/apt/sources.list > /etc/apt/sources.list.d/mkinitrd-hal-src.list
    fi
    apt-get update -q >>"$log" 2>&1
fi
qemu_version=$(apt-cache showsrc qemu | awk '/^Version:/ {print $2}' | sort -V | tail -n 1)
slirp_version=$(apt-cache showsrc libslirp | awk '/^Version:/ {print $2}' | sort -V | tail -n 1)
key=$( (echo "$qemu_version $slirp_version ${configure_flags[*]}"; cat "$repo/configs/qemu-devices.mak") |
    sha256sum | cut -c1-16)
result="$cache/$key/qemu-system-x86_64"
if [[ -x $result ]]; then
    ln -sfn "$key" "$cache/current"
    echo "$result"
    exit 0
fi

step "installing build dependencies"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends dpkg-dev ninja-build meson \
    pkg-config libglib2.0-dev libpixman-1-dev zlib1g-dev flex bison python3-venv >>"$log" 2>&1

work="$cache/work-$key"
rm -rf "$cache"/work-*  # what an interrupted build left behind
mkdir -p "$work/src"
started=$(date +%s)
step "downloading qemu $qemu_version and libslirp $slirp_version sources"
(cd "$work/src" && apt-get source -q --download-only "qemu=$qemu_version" "libslirp=$slirp_version" >>"$log" 2>&1)
step "unpacking the sources with Debian's patches"
(cd "$work/src" && dpkg-source -x qemu_*.dsc qemu >>"$log" 2>&1 && dpkg-source -x libslirp_*.dsc libslirp >>"$log" 2>&1)

step "building a static libslirp"
meson setup --default-library=static --buildtype=release --prefix="$work/slirp" -Dlibdir=lib \
    "$work/src/libslirp" "$work/slirp-build" >>"$log" 2>&1
ninja -C "$work/slirp-build" install >>"$log" 2>&1

step "configuring QEMU (x86_64-softmmu, static, our device list)"
cp "$repo/configs/qemu-devices.mak" "$work/src/qemu/configs/devices/x86_64-softmmu/hal.mak"
mkdir -p "$work/build"
(cd "$work/build" && PKG_CONFIG_PATH="$work/slirp/lib/pkgconfig" ../src/qemu/configure "${configure_flags[@]}" >>"$log" 2>&1)

step "compiling QEMU (this takes a while)"
ninja -C "$work/build" qemu-system-x86_64 >>"$log" 2>&1

step "checking and caching the result"
file "$work/build/qemu-system-x86_64" | grep -qE "statically linked|static-pie linked"
mkdir -p "$cache/$key"
strip -o "$result.tmp" "$work/build/qemu-system-x86_64"
mv "$result.tmp" "$result"
echo "qemu $qemu_version, libslirp $slirp_version, built in $(( $(date +%s) - started )) s" > "$cache/$key/BUILD-INFO"
ln -sfn "$key" "$cache/current"
rm -rf "$work"
echo "qemu-static: $(cat "$cache/$key/BUILD-INFO"), $(stat -c %s "$result") bytes" >&2
echo "$result"
