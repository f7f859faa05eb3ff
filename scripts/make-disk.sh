#!/usr/bin/env bash
# make-disk.sh SOURCE MARKER OUTPUT [cpp flags...]: assembles the boot-sector payload with
# GNU as and writes a 1 MiB raw disk whose first sector it is.
set -euo pipefail
source=$1 marker=$2 output=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cpp -P -DMARKER="\"$marker\"" "$@" "$source" > "$work/boot.s"
as --32 -o "$work/boot.o" "$work/boot.s"
ld -m elf_i386 -Ttext=0x7c00 --oformat=binary -e _start -o "$work/boot.bin" "$work/boot.o"
size=$(stat -c %s "$work/boot.bin")
if [[ $size -ne 512 ]]; then
    echo "make-disk: $source assembled to $size bytes, not 512" >&2
    exit 1
fi
truncate -s 1M "$work/disk.img"
dd if="$work/boot.bin" of="$work/disk.img" conv=notrunc status=none
mv "$work/disk.img" "$output"
