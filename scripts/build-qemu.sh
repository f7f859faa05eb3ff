#!/usr/bin/env bash
# build-qemu.sh static|outer: builds qemu-system-x86_64 from Debian's own QEMU source with
# Debian's patches and ours (patches/qemu/), caches it outside the repository keyed by the
# source versions, our patches and the build configuration, and prints the binary's path.
#   static  the QEMU the image bundles: static, minimal (configs/qemu-devices.mak, only the
#           features named below), with a static libslirp built from Debian's source too;
#   outer   the QEMU the tests and `make bench` boot the HAL in: upstream defaults (every
#           device, the features the installed libraries allow, dynamic) plus our patches,
#           which the nested KVM-in-TCG setup needs.
# Needs root the first time (a deb-src entry); build dependencies come from install-deps.sh.
set -euo pipefail

profile=${1:-}
if [[ $profile != static && $profile != outer ]]; then
    echo "usage: build-qemu.sh static|outer" >&2
    exit 2
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${HAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mkinitrd-hal}/qemu-$profile
mkdir -p "$cache"
log="$cache/build.log"
current_step="start"
step() {
    current_step=$1
    echo "qemu-$profile: $1" >&2
}
trap 'echo "qemu-$profile: FAILED while: $current_step (last lines of $log below)" >&2; tail -n 25 "$log" >&2' ERR

if [[ $profile == static ]]; then
    # Every feature is named (--without-default-features turns the rest off):
    #   fdt=system   Debian's libfdt.a (x86_64-softmmu requires libfdt);
    #   linux-aio    aio=native for block devices opened with cache=none;
    #   vhost-*      the in-kernel virtio-net data path (/dev/vhost-net) for bridged guests;
    #   vnc          the guest's screen for hal-display, on a unix socket (no external library);
    #   tpm          the host's TPM passed to the guest (-tpmdev passthrough; no library).
    # Size (scripts/qemu-size-report.py, README): -Os and section GC; no unwind tables (QEMU is
    # C and never unwinds); the nop trace backend (the log backend compiles a check and a
    # formatted print into each of several thousand trace points); packed relative relocations
    # (DT_RELR): a static-pie keeps ASLR, and its 2.4 MB of R_X86_64_RELATIVE entries shrink to
    # 25 KB.
    configure_flags=(--prefix=/usr --static --target-list=x86_64-softmmu --without-default-features
        --without-default-devices --with-devices-x86_64=hal --enable-kvm --enable-tcg --enable-slirp
        --enable-fdt=system --enable-linux-aio --enable-vhost-net --enable-vhost-kernel --enable-vnc
        --enable-tpm
        --enable-trace-backends=nop
        --audio-drv-list= --disable-install-blobs --disable-docs --disable-werror
        "--extra-cflags=-Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables"
        "--extra-ldflags=-Wl,--gc-sections -Wl,-z,pack-relative-relocs")
    devices=$(cat "$repo/configs/qemu-devices.mak")
else
    # Upstream defaults: every device and what the installed libraries enable; its firmware
    # comes from Debian's packages (/usr/share/qemu, the same QEMU version).
    configure_flags=(--prefix=/usr --target-list=x86_64-softmmu --enable-slirp --enable-fdt=system
        --firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu
        --disable-install-blobs --disable-docs --disable-werror)
    devices=""
fi

step "adding a deb-src entry for Debian's sources"
sources=/etc/apt/sources.list.d/mkinitrd-hal-src.sources
if [[ -z "$(apt-cache showsrc qemu 2>/dev/null)" ]]; then
    if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
        [[ -f $sources ]] || sed -e 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$sources"
    else
        sed -n -e 's/^deb /deb-src /p' /etc/apt/sources.list > /etc/apt/sources.list.d/mkinitrd-hal-src.list
    fi
    apt-get update -q >>"$log" 2>&1
fi
qemu_version=$(apt-cache showsrc qemu | awk '/^Version:/ {print $2}' | sort -V | tail -n 1)
slirp_version=$(apt-cache showsrc libslirp | awk '/^Version:/ {print $2}' | sort -V | tail -n 1)
key=$( (echo "$qemu_version $slirp_version ${configure_flags[*]}"; echo "$devices"; cat "$repo"/patches/qemu/*.patch) |
    sha256sum | cut -c1-16)
result="$cache/$key/qemu-system-x86_64"
# QEMU finds its data relative to its binary (a "relocatable" install) unless a qemu-bundle
# directory beside it maps the configured paths: the outer QEMU uses the system's firmware.
bundle() {
    [[ $profile == outer ]] || return 0
    mkdir -p "$cache/$key/qemu-bundle/usr"
    ln -sfn /usr/share "$cache/$key/qemu-bundle/usr/share"
    ln -sfn /usr/lib "$cache/$key/qemu-bundle/usr/lib"
}
if [[ -x $result ]]; then
    bundle
    ln -sfn "$key" "$cache/current"
    echo "$result"
    exit 0
fi

step "checking build dependencies"
bash "$repo/scripts/install-deps.sh" >>"$log" 2>&1

work="$cache/work-$key"
rm -rf "$cache"/work-*  # what an interrupted build left behind
mkdir -p "$work/src"
started=$(date +%s)
step "downloading qemu $qemu_version and libslirp $slirp_version sources"
(cd "$work/src" && apt-get source -q --download-only "qemu=$qemu_version" "libslirp=$slirp_version" >>"$log" 2>&1)
step "unpacking the sources with Debian's patches"
(cd "$work/src" && dpkg-source -x qemu_*.dsc qemu >>"$log" 2>&1 && dpkg-source -x libslirp_*.dsc libslirp >>"$log" 2>&1)
for patch in "$repo"/patches/qemu/*.patch; do
    step "applying ${patch#"$repo"/}"
    patch -d "$work/src/qemu" -p1 --forward --batch < "$patch" >>"$log" 2>&1
done

pkg_config_path=""
if [[ $profile == static ]]; then
    step "building a static libslirp"
    meson setup --default-library=static --buildtype=release --prefix="$work/slirp" -Dlibdir=lib \
        "$work/src/libslirp" "$work/slirp-build" >>"$log" 2>&1
    ninja -C "$work/slirp-build" install >>"$log" 2>&1
    pkg_config_path="$work/slirp/lib/pkgconfig"
    cp "$repo/configs/qemu-devices.mak" "$work/src/qemu/configs/devices/x86_64-softmmu/hal.mak"
fi

step "configuring QEMU ($profile)"
mkdir -p "$work/build"
flags=("${configure_flags[@]}")
if [[ $profile == static ]]; then
    # The link map is not part of the key: it only records where the bytes went.
    flags[${#flags[@]} - 1]+=" -Wl,-Map=$work/build/qemu-system-x86_64.map"
fi
(cd "$work/build" && PKG_CONFIG_PATH="$pkg_config_path" ../src/qemu/configure "${flags[@]}" >>"$log" 2>&1)

step "compiling QEMU (this takes a while)"
ninja -C "$work/build" qemu-system-x86_64 >>"$log" 2>&1

step "checking and caching the result"
mkdir -p "$cache/$key"
if [[ $profile == static ]]; then
    file "$work/build/qemu-system-x86_64" | grep -qE "statically linked|static-pie linked"
    gzip -9 < "$work/build/qemu-system-x86_64.map" > "$cache/$key/qemu-system-x86_64.map.gz"
fi
strip -o "$result.tmp" "$work/build/qemu-system-x86_64"
"$result.tmp" --version >>"$log" 2>&1
mv "$result.tmp" "$result"
bundle
echo "qemu $qemu_version, libslirp $slirp_version, patches: $(cd "$repo/patches/qemu" && ls | tr '\n' ' ')built in $(( $(date +%s) - started )) s" > "$cache/$key/BUILD-INFO"
ln -sfn "$key" "$cache/current"
rm -rf "$work"
echo "qemu-$profile: $(cat "$cache/$key/BUILD-INFO"), $(stat -c %s "$result") bytes" >&2
echo "$result"
