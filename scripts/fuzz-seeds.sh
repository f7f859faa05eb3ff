#!/usr/bin/env bash
# fuzz-seeds.sh OUT FIXTURES: binary seeds for the libFuzzer targets, made with the real tools
# (sfdisk, mkfs, qemu-img, dtc, the packer's ELF fixtures), so each campaign starts from inputs
# the parsers meet on real machines. Hand-written seeds and the inputs `make fuzz-merge` brought
# back from long runs live in tests/fuzz/corpus/.
set -euo pipefail
out=$(realpath -m "$1")
fixtures=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"/{partition_table,filesystem_probe,qcow2,elf,device_tree,cpio,firmware_tables}

# First sectors of disks: MBR with a bootable partition, GPT with an ESP and a BIOS-boot
# partition (the 4096-byte-sector GPT case is the unit tests'; sfdisk cannot make one on a file).
truncate -s 8M "$work/mbr.img" "$work/gpt.img"
printf 'label: dos\n,4M,83,*\n,,c\n' | sfdisk -q "$work/mbr.img"
printf 'label: gpt\n,2M,U\n,1M,21686148-6449-6E6F-744E-656564454649\n,,L\n' | sfdisk -q "$work/gpt.img"
head -c 16384 "$work/mbr.img" > "$out/partition_table/mbr"
head -c 16384 "$work/gpt.img" > "$out/partition_table/gpt"

# Filesystem superblocks with labels and UUIDs.
truncate -s 8M "$work/ext4.img" "$work/vfat.img"
mkfs.ext4 -q -F -L HALDATA "$work/ext4.img"
mkfs.vfat -n HALVARS "$work/vfat.img" > /dev/null
head -c 16384 "$work/ext4.img" > "$out/filesystem_probe/ext4"
head -c 16384 "$work/vfat.img" > "$out/filesystem_probe/vfat"

# qcow2 headers: plain, and with a backing file.
qemu-img create -q -f qcow2 "$work/base.qcow2" 64M
qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 "$work/overlay.qcow2"
head -c 4096 "$work/base.qcow2" > "$out/qcow2/plain"
head -c 4096 "$work/overlay.qcow2" > "$out/qcow2/backing"

# ELF: a dynamic program with RUNPATH, a shared library, a kernel module's start.
cp "$fixtures/elf/bin/fixture_program" "$out/elf/program"
cp "$fixtures/elf/lib/libfixture.so" "$out/elf/library"

# Device trees compiled by dtc from the unit tests' fixtures.
cp "$fixtures"/device_tree/*.dtb "$out/device_tree/"

# A newc archive as an initramfs holds it: a directory, a file, a symlink, a device node.
mkdir -p "$work/tree/etc" "$work/tree/dev"
echo "disk = auto" > "$work/tree/etc/hal.conf"
ln -s etc/hal.conf "$work/tree/link"
(cd "$work/tree" && find . | LC_ALL=C sort | cpio --quiet -o -H newc > "$out/cpio/tree.cpio")

# SMBIOS structures as /sys/firmware/dmi/entries/*/raw holds them: type 1 with strings, and
# type 0; an ACPI table header with a valid checksum.
printf '\x01\x1b\x01\x00\x01\x02\x03\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x06\x05\x06VendorCo\0Model 7\0v1\0SN123\0\0' \
    > "$out/firmware_tables/smbios-type1"
printf '\x00\x12\x00\x00\x01\x02\x00\xf0\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00BIOS Inc\0 1.0\0 2024\0\0' \
    > "$out/firmware_tables/smbios-type0"
python3 - "$out/firmware_tables/acpi-msdm" <<'PY'
import struct, sys
body = b"\x01\x00\x00\x00" * 4
header = bytearray(b"MSDM" + struct.pack("<I", 36 + len(body)) + b"\x03\x00" + b"ALASKA" + b"A M I   "
                   + struct.pack("<I", 1) + b"AMI " + struct.pack("<I", 0x10013))
table = header + body
table[9] = (-sum(table)) & 0xFF
open(sys.argv[1], "wb").write(bytes(table))
PY
