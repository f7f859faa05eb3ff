#!/usr/bin/env bash
# Downloads and unpacks (never installs: their maintainer scripts would touch this machine's
# boot loader) Debian's Microsoft-signed shim and Debian-signed GRUB, for the Secure Boot
# boot tests, and caches them outside the repository. Prints the cached root directory, which
# holds usr/lib/shim/shimx64.efi.signed and usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed.
set -euo pipefail

cache=${HAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mkinitrd-hal}
packages=(shim-signed grub-efi-amd64-signed)

versions() {
    for package in "${packages[@]}"; do
        apt-cache policy "$package" 2>/dev/null | awk '/Candidate:/ {print $2; exit}'
    done
}

found=$(versions | tr '\n' ' ')
if [[ "$found" != *[0-9]*" "*[0-9]* ]]; then
    apt-get update -q >&2
    found=$(versions | tr '\n' ' ')
fi
if [[ "$found" != *[0-9]*" "*[0-9]* ]]; then
    echo "fetch-secure-boot: apt knows no candidate for ${packages[*]} (apt-get update?)" >&2
    exit 1
fi
root="$cache/secure-boot-$(echo "$found" | sha256sum | cut -c1-16)"
if [[ ! -f "$root/.ready" ]]; then
    mkdir -p "$cache"
    work=$(mktemp -d "$cache/secure-boot.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    echo "fetch-secure-boot: downloading ${packages[*]} ($found)" >&2
    # _apt cannot write into root's cache: download as root, quietly.
    (cd "$work" && apt-get download -q -o APT::Sandbox::User=root "${packages[@]}" >&2)
    mkdir -p "$work/root"
    for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
    for file in usr/lib/shim/shimx64.efi.signed usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed; do
        [[ -f "$work/root/$file" ]] || { echo "fetch-secure-boot: $file not in the packages" >&2; exit 1; }
    done
    touch "$work/root/.ready"
    rm -rf "$root"
    mv "$work/root" "$root"
fi
echo "$root"
