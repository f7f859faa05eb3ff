#!/usr/bin/env bash
# Downloads and unpacks Debian's current linux-image-amd64 kernel (not installed into /boot),
# runs depmod on it, and caches it outside the repository. Prints the cached root directory,
# which holds boot/vmlinuz-KVER and lib/modules/KVER.
set -euo pipefail

cache=${HAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mkinitrd-hal}
package=${HAL_KERNEL_PACKAGE:-}

resolve_package() {
    apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}'
}

if [[ -z "$package" ]]; then
    package=$(resolve_package)
    if [[ -z "$package" ]]; then
        apt-get update -q >&2
        package=$(resolve_package)
    fi
fi
if [[ -z "$package" ]]; then
    echo "fetch-kernel: cannot resolve linux-image-amd64 to a kernel package (apt-get update?)" >&2
    exit 1
fi

root="$cache/$package"
if [[ ! -f "$root/.ready" ]]; then
    work=$(mktemp -d "$cache.XXXXXX" 2>/dev/null || { mkdir -p "$cache" && mktemp -d "$cache/tmp.XXXXXX"; })
    trap 'rm -rf "$work"' EXIT
    echo "fetch-kernel: downloading $package" >&2
    (cd "$work" && apt-get download -q "$package" >&2)
    mkdir -p "$work/root"
    dpkg-deb -x "$work"/*.deb "$work/root"
    release=${package#linux-image-}
    release=${release%-unsigned}
    /usr/sbin/depmod -b "$work/root" "$release"
    touch "$work/root/.ready"
    mkdir -p "$cache"
    rm -rf "$root"
    mv "$work/root" "$root"
fi
echo "$root"
